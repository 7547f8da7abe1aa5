//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of the error contract (errors.go): every failure is an
// *fs.PathError holding the errno or a sentinel, bad arguments name the
// parameter, and limit errors name the limit and how to raise it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestPathErrorMapsErrnos(t *testing.T) {
	cases := []struct {
		in    error
		want  []error
		inner error
	}{
		{syscall.EAGAIN, []error{ErrWouldBlock, syscall.EAGAIN}, ErrWouldBlock},
		{syscall.EBUSY, []error{ErrBusy, syscall.EBUSY}, ErrBusy},
		{syscall.ETIMEDOUT, []error{os.ErrDeadlineExceeded}, os.ErrDeadlineExceeded},
		{syscall.ENOENT, []error{fs.ErrNotExist}, syscall.ENOENT},
		{syscall.EEXIST, []error{fs.ErrExist}, syscall.EEXIST},
		{syscall.EACCES, []error{fs.ErrPermission}, syscall.EACCES},
	}
	for _, c := range cases {
		err := pathError("op", "shm/x", c.in)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op != "op" || pe.Path != "shm/x" {
			t.Fatalf("pathError(%v) = %#v; want a PathError for op shm/x", c.in, err)
		}
		if pe.Err != c.inner {
			t.Errorf("pathError(%v).Err = %v; want %v directly inside", c.in, pe.Err, c.inner)
		}
		for _, w := range c.want {
			if !errors.Is(err, w) {
				t.Errorf("errors.Is(pathError(%v), %v) = false", c.in, w)
			}
		}
	}
	if pathError("op", "p", nil) != nil {
		t.Error("pathError(nil) != nil")
	}
	inner := &fs.PathError{Op: "inner", Path: "q", Err: syscall.EPERM}
	if got := pathError("op", "p", inner); got != inner {
		t.Errorf("pathError wrapped an existing PathError: %v", got)
	}
}

func TestMqueueNotMountedIsUnsupported(t *testing.T) {
	if !errors.Is(ErrMqueueNotMounted, errors.ErrUnsupported) {
		t.Fatal("ErrMqueueNotMounted does not wrap errors.ErrUnsupported")
	}
	var errno syscall.Errno
	if !errors.As(ErrWouldBlock, &errno) || errno != syscall.EAGAIN {
		t.Fatalf("errors.As(ErrWouldBlock, errno) = %v", errno)
	}
}

// TestNilReaderOrWriterIsErrInvalidAndLosesNothing checks that the stream
// copies refuse a nil io.Reader or io.Writer with a *fs.PathError matching
// fs.ErrInvalid, before touching the object: no panic, and a queue keeps
// the message a WriteTo(nil) would otherwise have taken and dropped.
func TestNilReaderOrWriterIsErrInvalidAndLosesNothing(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	mqSend(t, q, "kept", 3)
	shm, _ := shmCreate(t, 8)
	for _, c := range []struct {
		call, op string
		fn       func() (int64, error)
	}{
		{"MqFile.WriteTo(nil)", "read", func() (int64, error) { return q.WriteTo(nil) }},
		{"MqFile.ReadFrom(nil)", "write", func() (int64, error) { return q.ReadFrom(nil) }},
		{"ShmFile.WriteTo(nil)", "read", func() (int64, error) { return shm.WriteTo(nil) }},
		{"ShmFile.ReadFrom(nil)", "write", func() (int64, error) { return shm.ReadFrom(nil) }},
	} {
		t.Run(c.call, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s panicked: %v", c.call, r)
				}
			}()
			n, err := c.fn()
			var pe *fs.PathError
			if n != 0 || !errors.As(err, &pe) || pe.Op != c.op || !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("%s = %d, %v; want 0 and a *fs.PathError{Op: %q} matching fs.ErrInvalid", c.call, n, err, c.op)
			}
		})
	}
	buf := make([]byte, mqSmall.MessageSize)
	q.SetNonblocking(true) // a lost message fails the test instead of hanging it
	if n, prio, err := q.Receive(context.Background(), buf); err != nil || string(buf[:n]) != "kept" || prio != 3 {
		t.Errorf("after WriteTo(nil) the queue gave %q at %d, %v; want \"kept\" at 3", buf[:n], prio, err)
	}
	if off, err := shm.Seek(0, io.SeekCurrent); off != 0 || err != nil {
		t.Errorf("offset after the refused copies = %d, %v; want 0", off, err)
	}
}

func relCheckRlimitNofile(c *relChild) {
	// Start the runtime poller before the limit, as a real program would
	// have: it needs descriptors of its own.
	warm, err := OpenMq(relChildName("warm"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
	if err != nil {
		c.failf("warm-up queue: %v", err)
		return
	}
	RemoveMq(warm.Name())
	defer warm.Close()

	for _, dir := range relKindDirs {
		before := relShmEntries()
		var handles []File
		var fillers []*os.File
		// Exhaust the descriptor table, with handles of this kind where a
		// handle holds a descriptor and with /dev/null where it does not.
		lim := unix.Rlimit{Cur: 64, Max: 64}
		var old unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &old)
		lim.Max = old.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			c.failf("setrlimit(RLIMIT_NOFILE): %v", err)
			return
		}
		var failName string
		var failErr error
		for range 200 {
			if dir == "sem" {
				f, err := os.Open(os.DevNull)
				if err == nil {
					fillers = append(fillers, f)
					continue
				}
			}
			name := relChildName("nofile")
			f, err := relCreate(dir, name, 0o600)
			if err != nil {
				failName, failErr = name, err
				break
			}
			handles = append(handles, f)
			if dir == "sem" {
				f.Close()
				RemoveSem(name)
			}
		}
		var words []string
		if os.Getenv("REL_NAME_LIMIT") != "" {
			words = []string{"RLIMIT_NOFILE", "ulimit -n"}
		}
		relCheckLimitError(c, dir+" create with RLIMIT_NOFILE exhausted", failErr, syscall.EMFILE, words...)
		if failName != "" {
			after := relShmEntries()
			if dir == "mq" {
				// Free a descriptor to look.
				if len(handles) > 0 {
					handles[len(handles)-1].Close()
					handles = handles[:len(handles)-1]
				}
				relCheckQueueAbsent(c, dir+" create with RLIMIT_NOFILE exhausted", failName)
			} else {
				var made []string
				for _, h := range handles {
					n, _ := CleanName(dir, h.Name())
					made = append(made, n)
				}
				want := map[string]bool{}
				for _, n := range before {
					want[n] = true
				}
				for _, n := range made {
					want[n] = true
				}
				for _, n := range after {
					if !want[n] {
						c.failf("%s create with RLIMIT_NOFILE exhausted left %s in /dev/shm", dir, n)
					}
				}
			}
		}
		for _, h := range handles {
			h.Close()
			relRemove(dir, h.Name())
		}
		for _, f := range fillers {
			f.Close()
		}
		unix.Setrlimit(unix.RLIMIT_NOFILE, &old)
		// Everything works again.
		name := relChildName("nofile")
		f, err := relCreate(dir, name, 0o600)
		c.check(err == nil, dir+" create after closing", "%v", err)
		if err == nil {
			f.Close()
			relRemove(dir, name)
		}
	}
}

func TestReliabilityRlimitNofileExhausted(t *testing.T) {
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, mntNS: true, env: []string{"REL_CHECK=rlimit-nofile"},
		setup: "mount -t tmpfs -o size=16m,mode=1777 tmpfs /dev/shm"})
}

// TestReliabilityRlimitNofileErrorNamesTheLimit asks more than the test
// above: the EMFILE error of each kind's open says the limit is
// RLIMIT_NOFILE and how to raise it, as the queue limits' errors do.
func TestReliabilityRlimitNofileErrorNamesTheLimit(t *testing.T) {
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, mntNS: true, env: []string{"REL_CHECK=rlimit-nofile", "REL_NAME_LIMIT=1"},
		setup: "mount -t tmpfs -o size=16m,mode=1777 tmpfs /dev/shm"})
}

// Invalid parameters everywhere give clear errors, never a panic, a hang
// or a half-made object; nil and closed handles fail cleanly.

// relSemValueMax is SEM_VALUE_MAX on Linux (the library's SemValueMax).
const relSemValueMax = 1<<31 - 1

// relParamCase is one bad call: the errno or sentinel its error must hold,
// and words its message should contain (any one of them) to name the
// parameter or limit.
type relParamCase struct {
	what  string
	call  func() error
	is    []error  // errors.Is must hold for one of these
	words []string // the message names the parameter: one of these appears
}

func relParamCases(t *testing.T) []relParamCase {
	t.Helper()
	shmName, mqName, semName := uniqueName(t), uniqueName(t), uniqueName(t)
	shm, err := OpenShm(shmName, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shm.Close(); RemoveShm(shmName) })
	ro, err := OpenShm(shmName, os.O_RDONLY, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	q, err := OpenMq(mqName, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); RemoveMq(mqName) })
	sem, err := OpenSem(semName, os.O_CREATE|os.O_EXCL, 0o600, relSemValueMax)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sem.Close(); RemoveSem(semName) })

	invalid := []error{fs.ErrInvalid, syscall.EINVAL}
	fresh := func(kind string) string { return uniqueName(t) } // never created
	buf := make([]byte, 8)
	return []relParamCase{
		{"OpenShm size -1", func() error {
			_, err := OpenShm(fresh("shm"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, -1)
			return err
		}, invalid, []string{"size"}},
		{"OpenShm size MinInt64", func() error {
			_, err := OpenShm(fresh("shm"), os.O_RDWR|os.O_CREATE, 0o600, math.MinInt64)
			return err
		}, invalid, []string{"size"}},
		{"OpenShm size MaxInt64 (no room to map it)", func() error {
			_, err := OpenShm(fresh("shm"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, math.MaxInt64)
			return err
		}, []error{syscall.ENOMEM, syscall.EFBIG, syscall.EINVAL, fs.ErrInvalid}, nil},
		{"ShmFile.Truncate(-1)", func() error { return shm.Truncate(-1) }, invalid, []string{"size"}},
		{"ShmFile.ReadAt offset -1", func() error { _, err := shm.ReadAt(buf, -1); return err }, invalid, []string{"offset"}},
		{"ShmFile.WriteAt offset -1", func() error { _, err := shm.WriteAt(buf, -1); return err }, invalid, []string{"offset"}},
		{"ShmFile.WriteAt past MaxInt64", func() error { _, err := shm.WriteAt(buf, math.MaxInt64-1); return err },
			[]error{syscall.EFBIG, fs.ErrInvalid, syscall.EINVAL}, []string{"offset", "too large"}},
		{"ShmFile.Seek whence 3", func() error { _, err := shm.Seek(0, 3); return err }, invalid, []string{"whence"}},
		{"ShmFile.Seek to -1", func() error { _, err := shm.Seek(-1, io.SeekStart); return err }, invalid, []string{"offset"}},
		{"ShmFile.Seek overflow", func() error {
			if _, err := shm.Seek(math.MaxInt64, io.SeekStart); err != nil {
				return err
			}
			_, err := shm.Seek(1, io.SeekCurrent)
			return err
		}, invalid, []string{"offset"}},
		{"read-only ShmFile.WriteAt", func() error { _, err := ro.WriteAt(buf, 0); return err },
			[]error{syscall.EBADF, fs.ErrPermission}, []string{"read-only", "bad file descriptor"}},
		{"read-only ShmFile.Truncate", func() error { return ro.Truncate(1) },
			[]error{syscall.EBADF, fs.ErrPermission}, []string{"read-only", "bad file descriptor"}},

		{"OpenMq MaxMessages -1", func() error {
			_, err := OpenMq(fresh("mq"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: -1, MessageSize: 16})
			return err
		}, invalid, []string{"MaxMessages"}},
		{"OpenMq MessageSize -1", func() error {
			_, err := OpenMq(fresh("mq"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 2, MessageSize: -1})
			return err
		}, invalid, []string{"MessageSize"}},
		{"OpenMq MaxMessages MinInt64", func() error {
			_, err := OpenMq(fresh("mq"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: math.MinInt64, MessageSize: 16})
			return err
		}, invalid, []string{"MaxMessages"}},
		{"OpenMq flag O_WRONLY|O_RDWR", func() error {
			_, err := OpenMq(mqName, os.O_WRONLY|os.O_RDWR, 0, nil)
			return err
		}, invalid, []string{"flag", "O_RDWR"}},
		{"MqFile.Send priority above the maximum", func() error { return q.Send(context.Background(), []byte("x"), relPrioMax+1) },
			invalid, []string{"priority"}},
		{"MqFile.Send priority MaxUint", func() error { return q.Send(context.Background(), []byte("x"), ^uint(0)) },
			invalid, []string{"priority"}},
		{"MqFile.SetPriority above the maximum", func() error { return q.SetPriority(relPrioMax + 1) },
			invalid, []string{"priority"}},
		{"MqFile.Send longer than the message size", func() error {
			return q.Send(context.Background(), make([]byte, relSmallQueue.MessageSize+1), 0)
		}, []error{syscall.EMSGSIZE}, []string{"message size", "MessageSize"}},
		{"MqFile.Write longer than the message size", func() error {
			_, err := q.Write(make([]byte, relSmallQueue.MessageSize+1))
			return err
		}, []error{syscall.EMSGSIZE}, []string{"message size", "MessageSize"}},

		{"OpenSem value above SemValueMax", func() error {
			_, err := OpenSem(fresh("sem"), os.O_CREATE|os.O_EXCL, 0o600, relSemValueMax+1)
			return err
		}, invalid, []string{"value"}},
		{"OpenSem value MaxUint32", func() error {
			_, err := OpenSem(fresh("sem"), os.O_CREATE|os.O_EXCL, 0o600, math.MaxUint32)
			return err
		}, invalid, []string{"value"}},
		{"SemFile.Release at SemValueMax", func() error { return sem.Release() },
			[]error{syscall.EOVERFLOW}, []string{"SemValueMax", "maximum", "SEM_VALUE_MAX"}},
		{"SemFile.Write at SemValueMax", func() error { _, err := sem.Write([]byte{1}); return err },
			[]error{syscall.EOVERFLOW}, []string{"SemValueMax", "maximum", "SEM_VALUE_MAX"}},

		{"CreateTemp pattern with a slash", func() error { _, err := New().CreateTemp("shm", "a/b*"); return err },
			invalid, []string{"/"}},
		{"CreateTemp pattern with NUL", func() error { _, err := New().CreateTemp("sem", "a\x00*"); return err },
			invalid, []string{"NUL", "/"}},
		{"CreateTemp in an unknown directory", func() error { _, err := New().CreateTemp("tmp", "x*"); return err },
			[]error{fs.ErrNotExist}, nil},
	}
}

// relRunParamCase calls c.call, turning a panic into an error report.
func relRunParamCase(c relParamCase) (err error) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- c.call()
	}()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		err = errors.New("still blocked after 20s")
	}
	return err
}

func TestReliabilityInvalidParametersAreErrors(t *testing.T) {
	cases := relParamCases(t)
	before := relShmEntriesHost(t)
	for _, c := range cases {
		err := relRunParamCase(c)
		if err == nil {
			t.Errorf("%s: succeeded", c.what)
			continue
		}
		if strings.HasPrefix(err.Error(), "panic") || strings.HasPrefix(err.Error(), "still blocked") {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op == "" || pe.Path == "" {
			t.Errorf("%s: %#v is not an *fs.PathError with Op and Path", c.what, err)
		}
		matched := false
		for _, want := range c.is {
			matched = matched || errors.Is(err, want)
		}
		if !matched {
			t.Errorf("%s: %v; want errors.Is one of %v", c.what, err, c.is)
		}
	}
	if after := relShmEntriesHost(t); len(after) > len(before) {
		// Other tests may run at the same time; only names of this test count.
		for _, n := range after {
			if strings.Contains(n, "TestReliabilityInvalidParametersAreErrors") && !strings.Contains(strings.Join(before, "\n"), n) {
				t.Errorf("a refused call left %s in /dev/shm", n)
			}
		}
	}
}

// TestReliabilityInvalidParametersNameTheParameter asks more than the test
// above: each message names the bad parameter or the limit, and a bad
// argument satisfies errors.Is(err, fs.ErrInvalid), not only EINVAL.
func TestReliabilityInvalidParametersNameTheParameter(t *testing.T) {
	for _, c := range relParamCases(t) {
		err := relRunParamCase(c)
		if err == nil {
			continue
		}
		if slices.Contains(c.is, fs.ErrInvalid) && errors.Is(err, syscall.EINVAL) && !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: error %q is not fs.ErrInvalid", c.what, err)
		}
		if len(c.words) == 0 {
			continue
		}
		named := false
		for _, w := range c.words {
			named = named || strings.Contains(err.Error(), w)
		}
		if !named {
			t.Errorf("%s: error %q names none of %q", c.what, err, c.words)
		}
	}
}
