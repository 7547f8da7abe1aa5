//go:build linux

package ipcfs

// Invalid parameters everywhere give clear errors, never a panic, a hang
// or a half-made object; nil and closed handles fail cleanly.

import (
	"bytes"
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
)

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

func relShmEntriesHost(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/dev/shm")
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, e := range entries {
		list = append(list, e.Name())
	}
	return list
}

func TestReliabilityExpiredDeadlinesAndContextsReturnAtOnce(t *testing.T) {
	q := relNewQueue(t, 2)
	name := uniqueName(t)
	s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); RemoveSem(name) })
	past := time.Now().Add(-time.Hour)
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	buf := make([]byte, 256)
	cases := []struct {
		what string
		call func() error
		want error
	}{
		{"Receive with an expired context", func() error { _, _, err := q.Receive(expired, buf); return err }, context.DeadlineExceeded},
		{"Acquire with an expired context", func() error { return s.Acquire(expired) }, context.DeadlineExceeded},
		{"Receive after a past read deadline", func() error {
			q.SetReadDeadline(past)
			defer q.SetReadDeadline(time.Time{})
			_, _, err := q.Receive(context.Background(), buf)
			return err
		}, os.ErrDeadlineExceeded},
		{"Acquire after a past deadline", func() error {
			s.SetDeadline(past)
			defer s.SetDeadline(time.Time{})
			return s.Acquire(context.Background())
		}, os.ErrDeadlineExceeded},
		{"Send to a full queue after a past write deadline", func() error {
			for range 2 {
				if err := q.Send(context.Background(), []byte("x"), 0); err != nil {
					return err
				}
			}
			q.SetWriteDeadline(past)
			defer q.SetWriteDeadline(time.Time{})
			return q.Send(context.Background(), []byte("y"), 0)
		}, os.ErrDeadlineExceeded},
	}
	for _, c := range cases {
		err := relRunParamCase(relParamCase{what: c.what, call: c.call})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v; want %v", c.what, err, c.want)
		}
	}
	// Nothing was consumed or sent by the refused calls.
	if a, err := q.Attr(); err != nil || a.CurMessages != 2 {
		t.Errorf("queue: %+v, %v; want the 2 messages sent before the refused send", a, err)
	}
	if v, err := s.Value(); err != nil || v != 0 {
		t.Errorf("semaphore: %d, %v; want 0", v, err)
	}
}

// relCallAll calls every method of a handle (as a File of its kind) and
// reports the ones that panic or succeed.
func relCallAll(f File) (panics []string, successes []string) {
	buf := make([]byte, 8)
	ctx := context.Background()
	calls := map[string]func() error{
		"Name":  func() error { f.Name(); return errors.New("ok") },
		"Stat":  func() error { _, err := f.Stat(); return err },
		"Read":  func() error { _, err := f.Read(buf); return err },
		"Write": func() error { _, err := f.Write(buf); return err },
		"Close": func() error { return f.Close() },
	}
	switch h := f.(type) {
	case SharedMemory:
		calls["ReadAt"] = func() error { _, err := h.ReadAt(buf, 0); return err }
		calls["WriteAt"] = func() error { _, err := h.WriteAt(buf, 0); return err }
		calls["Seek"] = func() error { _, err := h.Seek(0, io.SeekStart); return err }
		calls["ReadFrom"] = func() error { _, err := h.ReadFrom(bytes.NewReader(buf)); return err }
		calls["WriteTo"] = func() error { _, err := h.WriteTo(io.Discard); return err }
		calls["Size"] = func() error { _, err := h.Size(); return err }
		calls["Truncate"] = func() error { return h.Truncate(1) }
		calls["Sync"] = func() error { return h.Sync() }
	case MessageQueue:
		calls["Send"] = func() error { return h.Send(ctx, buf, 0) }
		calls["Receive"] = func() error { _, _, err := h.Receive(ctx, buf); return err }
		calls["Attr"] = func() error { _, err := h.Attr(); return err }
		calls["SetNonblocking"] = func() error { return h.SetNonblocking(true) }
		calls["SetPriority"] = func() error { return h.SetPriority(1) }
		calls["SetDeadline"] = func() error { return h.SetDeadline(time.Now()) }
		calls["SetReadDeadline"] = func() error { return h.SetReadDeadline(time.Now()) }
		calls["SetWriteDeadline"] = func() error { return h.SetWriteDeadline(time.Now()) }
		calls["Notify"] = func() error { return h.Notify(func() {}) }
		calls["CancelNotify"] = func() error { return h.CancelNotify() }
	case Semaphore:
		calls["Acquire"] = func() error { return h.Acquire(ctx) }
		calls["TryAcquire"] = func() error { return h.TryAcquire() }
		calls["Release"] = func() error { return h.Release() }
		calls["Value"] = func() error { _, err := h.Value(); return err }
		calls["SetDeadline"] = func() error { return h.SetDeadline(time.Now()) }
		calls["SetReadDeadline"] = func() error { return h.SetReadDeadline(time.Now()) }
	}
	for name, call := range calls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					panics = append(panics, fmt.Sprintf("%s: %v", name, r))
				}
			}()
			if err := call(); err == nil {
				successes = append(successes, name)
			}
		}()
	}
	return panics, successes
}

func TestReliabilityNilAndClosedHandlesNeverPanic(t *testing.T) {
	for _, dir := range relKindDirs {
		t.Run("closed "+dir, func(t *testing.T) {
			name := uniqueName(t)
			f, err := relCreate(dir, name, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { relRemove(dir, name) })
			f.Close()
			panics, successes := relCallAll(f)
			if len(panics) > 0 {
				t.Errorf("methods of a closed %s panic: %q", dir, panics)
			}
			if len(successes) > 0 {
				t.Errorf("methods of a closed %s succeed: %q", dir, successes)
			}
		})
		t.Run("nil "+dir, func(t *testing.T) {
			var f File
			switch dir {
			case "shm":
				f = (*ShmFile)(nil)
			case "mq":
				f = (*MqFile)(nil)
			case "sem":
				f = (*SemFile)(nil)
			}
			panics, successes := relCallAll(f)
			if len(panics) > 0 {
				t.Errorf("methods of a nil *%s handle panic: %q", dir, panics)
			}
			if len(successes) > 0 {
				t.Errorf("methods of a nil *%s handle succeed: %q", dir, successes)
			}
		})
	}
}
