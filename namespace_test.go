//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of what every handle kind promises (namespace.go): closing and
// dropped handles release everything, nil and closed handles fail cleanly,
// expired deadlines and contexts return at once, and the capability
// constants.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// No leaks: many open/close cycles of each kind leave the process's file
// descriptors, memory maps and goroutines where they started.

// relLeakCycles is how many open/close cycles of each kind the leak test
// runs: IPCFS_LEAK_CYCLES, or a default sized to keep `go test -race` fast,
// a tenth of it under emulation or -short (the 100,000 runs with
// IPCFS_LEAK_CYCLES=100000).
func relLeakCycles(t *testing.T, def int) int {
	if v := os.Getenv("IPCFS_LEAK_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("IPCFS_LEAK_CYCLES=%q: want a positive number", v)
		}
		return n
	}
	if testing.Short() {
		return def / 10
	}
	return testenv.Size(def, def/10)
}

// relUsage is what a process holds that a leak would grow.
type relUsage struct {
	fds        int // entries in /proc/self/fd
	maps       int // mappings of files in /proc/self/maps (the runtime maps anonymous memory as it likes)
	ipcMaps    int // of which map /dev/shm or mqueue files
	goroutines int
}

func relMeasure(t *testing.T) relUsage {
	t.Helper()
	var u relUsage
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	u.fds = len(fds)
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) < 6 || !strings.HasPrefix(f[5], "/") {
			continue // anonymous: heap, stacks, the race detector's shadow
		}
		u.maps++
		if strings.Contains(line, "/dev/shm/") || strings.Contains(line, "/dev/mqueue/") {
			u.ipcMaps++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	u.goroutines = runtime.NumGoroutine()
	return u
}

// relCheckNoGrowth polls (the runtime may still be retiring goroutines)
// until usage is back to before, and fails t if it is not by a deadline.
// Only mappings of files count: anonymous ones come and go with the Go heap
// (under -race, with its shadow memory too), by dozens.
func relCheckNoGrowth(t *testing.T, what string, before relUsage) {
	t.Helper()
	var now relUsage
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		now = relMeasure(t)
		if now.fds <= before.fds && now.ipcMaps <= before.ipcMaps && now.maps <= before.maps &&
			now.goroutines <= before.goroutines {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	t.Errorf("%s: fds %d -> %d, maps %d -> %d (IPC maps %d -> %d), goroutines %d -> %d",
		what, before.fds, now.fds, before.maps, now.maps, before.ipcMaps, now.ipcMaps, before.goroutines, now.goroutines)
}

func TestReliabilityOpenCloseCyclesLeakNothing(t *testing.T) {
	// Opening an existing object, using it and closing it; every tenth
	// cycle also creates and removes a second object (the create paths
	// differ: glibc's temp file and link for semaphores, mq_open with
	// attributes for queues).
	kinds := []struct {
		dir    string
		cycles int
		use    func(f File) error
	}{
		{"shm", 20_000, func(f File) error {
			_, err := f.(Shm).WriteAt([]byte{1}, 0)
			return err
		}},
		{"sem", 20_000, func(f File) error {
			s := f.(Sem)
			if err := s.Release(); err != nil {
				return err
			}
			return s.TryAcquire()
		}},
		{"mq", 20_000, func(f File) error {
			q := f.(Mq)
			if err := q.Send(context.Background(), []byte("x"), 0); err != nil {
				return err
			}
			buf := make([]byte, relSmallQueue.MessageSize)
			_, _, err := q.Receive(context.Background(), buf)
			return err
		}},
	}
	for _, k := range kinds {
		t.Run(k.dir, func(t *testing.T) {
			cycles := relLeakCycles(t, k.cycles)
			name := uniqueName(t)
			keep, err := relCreate(k.dir, name, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { keep.Close(); relRemove(k.dir, name) })
			other := uniqueName(t)
			t.Cleanup(func() { relRemove(k.dir, other) })

			// Warm up once, so lazily made runtime state (the poller, timers)
			// is not counted as a leak.
			relOpenUseClose(t, k.dir, name, k.use)
			if k.dir == "sem" {
				semLeakWarmUp(t, cycles, name, other, k.use)
			}
			before := relMeasure(t)
			start := time.Now()
			for i := range cycles {
				relOpenUseClose(t, k.dir, name, k.use)
				if i%10 == 0 {
					f, err := relCreate(k.dir, other, 0o600)
					if err != nil {
						t.Fatalf("cycle %d: create: %v", i, err)
					}
					if err := f.Close(); err != nil {
						t.Fatalf("cycle %d: close: %v", i, err)
					}
					if err := relRemove(k.dir, other); err != nil {
						t.Fatalf("cycle %d: remove: %v", i, err)
					}
				}
				if t.Failed() {
					return
				}
			}
			t.Logf("%d open/use/close cycles of %s (and %d create/remove) in %v", cycles, k.dir, (cycles+9)/10, time.Since(start))
			relCheckNoGrowth(t, k.dir, before)
		})
	}
}

func relOpenUseClose(t *testing.T, dir, name string, use func(File) error) {
	t.Helper()
	var (
		f   File
		err error
	)
	switch dir {
	case "shm":
		f, err = OpenShm(name, os.O_RDWR, 0, 0)
	case "mq":
		f, err = OpenMq(name, os.O_RDWR, 0, nil)
	case "sem":
		f, err = OpenSem(name, 0, 0, 0)
	}
	if err != nil {
		t.Fatalf("open %s %s: %v", dir, name, err)
	}
	if err := use(f); err != nil {
		t.Fatalf("use %s %s: %v", dir, name, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("close %s %s: %v", dir, name, err)
	}
	if err := f.Close(); err == nil {
		t.Fatalf("second close of %s %s succeeded; want fs.ErrClosed", dir, name)
	}
}

// TestCapabilityConstantsOnLinux checks posix_ipc's capability constants
// against what this platform does.
func TestCapabilityConstantsOnLinux(t *testing.T) {
	for _, c := range []struct {
		name string
		got  bool
	}{
		{"MessageQueuesSupported", MqSupported},
		{"SemaphoreTimeoutSupported", SemTimeoutSupported},
		{"SemaphoreValueSupported", SemValueSupported},
	} {
		if !c.got {
			t.Errorf("%s = false on Linux; want true", c.name)
		}
	}
	if SemValueMax != 1<<31-1 {
		t.Errorf("SemValueMax = %d; want INT_MAX", SemValueMax)
	}
	if MqPriorityMax != 32767 {
		t.Errorf("QueuePriorityMax = %d; want 32767", MqPriorityMax)
	}
}

// Tests that a ShmFile or SemFile dropped without Close is released by its
// cleanup (runtime.AddCleanup), and that Close stops the cleanup.

// cleanupKind is one kind of handle that has a cleanup.
type cleanupKind struct {
	kind string
	// create makes a new object under name; the test's cleanup removes it.
	create func(t *testing.T, name string)
	// open opens another handle of name and uses it so that it holds
	// everything a long-lived handle holds; it returns the handle and its
	// descriptor.
	open func(t *testing.T, name string) (io.Closer, int)
	// path is the host file behind name.
	path func(name string) string
	// shared is true when every handle of one object in a process shares
	// one descriptor and one mapping (semaphores, as in glibc).
	shared bool
}

var cleanupKinds = []cleanupKind{
	{
		kind: "shm",
		create: func(t *testing.T, name string) {
			f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 4096)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { shmRemoveQuietly(t, name) })
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		},
		open: func(t *testing.T, name string) (io.Closer, int) {
			f, err := OpenShm(name, os.O_RDWR, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Grow past the mapping, so the handle holds an old mapping too,
			// and take a Bytes slice of the new one.
			if _, err := f.WriteAt([]byte("x"), 1<<16); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Bytes(); err != nil {
				t.Fatal(err)
			}
			return f, int(f.Fd())
		},
		path: shmHostPath,
	},
	{
		kind: "sem",
		create: func(t *testing.T, name string) {
			s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 1)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := RemoveSem(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("RemoveSem(%q): %v", name, err)
				}
			})
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		},
		open: func(t *testing.T, name string) (io.Closer, int) {
			s, err := OpenSem(name, 0, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.TryAcquire(); err != nil {
				t.Fatal(err)
			}
			if err := s.Release(); err != nil {
				t.Fatal(err)
			}
			return s, s.h.Object().Fd()
		},
		path:   func(name string) string { return "/dev/shm/sem." + name[1:] },
		shared: true,
	},
}

// cleanupUsage is what this process holds: open descriptors and file
// mappings (lines of /proc/self/maps) in all, and those of one host file.
type cleanupUsage struct {
	fds, maps         int // all of them
	pathFds, pathMaps int // of the file
}

func cleanupCount(t *testing.T, path string) cleanupUsage {
	t.Helper()
	var u cleanupUsage
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	// A descriptor that created the file, and a mapping made through it,
	// may show another name (O_TMPFILE's "/dev/shm/#INODE (deleted)"):
	// match the inode too.
	ino := "-"
	if fi, err := os.Stat(path); err == nil {
		ino = strconv.FormatUint(fi.Sys().(*syscall.Stat_t).Ino, 10)
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(b), "\n"), "\n") {
		// Count only mappings of files: the runtime maps and unmaps
		// anonymous memory (heap, stacks) as it likes.
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
			continue
		}
		u.maps++
		if strings.HasSuffix(line, " "+path) || strings.HasSuffix(line, " "+path+" (deleted)") ||
			f[4] == ino && strings.HasPrefix(f[5], "/dev/shm/") {
			u.pathMaps++
		}
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		u.fds++
		// The descriptor ReadDir itself used is gone by now: ignore errors.
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue
		}
		if target == path || target == path+" (deleted)" {
			u.pathFds++
		} else if fi, err := os.Stat("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "/dev/shm/") &&
			strconv.FormatUint(fi.Sys().(*syscall.Stat_t).Ino, 10) == ino {
			u.pathFds++
		}
	}
	return u
}

// cleanupOpenAndDrop opens n handles of name, checks they hold descriptors
// and mappings, and drops them without Close.
//
//go:noinline
func cleanupOpenAndDrop(t *testing.T, k cleanupKind, name string, n int) {
	t.Helper()
	handles := make([]io.Closer, n)
	for i := range handles {
		handles[i], _ = k.open(t, name)
	}
	want := n
	if k.shared {
		want = 1
	}
	if u := cleanupCount(t, k.path(name)); u.pathFds != want || u.pathMaps < want || k.shared && u.pathMaps != 1 {
		t.Fatalf("%d handles open: %d descriptors and %d mappings of %s; want %d and at least %d",
			n, u.pathFds, u.pathMaps, k.path(name), want, want)
	}
	runtime.KeepAlive(handles)
}

// cleanupCollectUntil runs the garbage collector until cond holds, and
// reports whether it did within 20 s.
func cleanupCollectUntil(cond func() bool) bool {
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // let the cleanup goroutines run
	}
	return true
}

func TestCleanupReleasesDroppedHandles(t *testing.T) {
	const n = 20
	for _, k := range cleanupKinds {
		t.Run(k.kind, func(t *testing.T) {
			name := uniqueName(t)
			k.create(t, name)
			path := k.path(name)
			if k.shared {
				// The closed creator's mapping stays until the creator is
				// collected.
				cleanupCollectUntil(func() bool {
					u := cleanupCount(t, path)
					return u.pathFds == 0 && u.pathMaps == 0
				})
			}
			base := cleanupCount(t, path)
			if base.pathFds != 0 || base.pathMaps != 0 {
				t.Fatalf("before: %d descriptors, %d mappings of %s; want none", base.pathFds, base.pathMaps, path)
			}
			cleanupOpenAndDrop(t, k, name, n)
			var u cleanupUsage
			released := cleanupCollectUntil(func() bool {
				u = cleanupCount(t, path)
				return u.pathFds == 0 && u.pathMaps == 0 && u.fds <= base.fds && u.maps <= base.maps
			})
			if !released {
				t.Errorf("%d handles dropped, 20 s of GC later: %d descriptors, %d file mappings (%d and %d of %s); before: %d, %d; want back to before",
					n, u.fds, u.maps, u.pathFds, u.pathMaps, path, base.fds, base.maps)
			}
		})
	}
}

func TestCleanupAfterCloseDoesNotCloseAgain(t *testing.T) {
	for _, k := range cleanupKinds {
		t.Run(k.kind, func(t *testing.T) {
			name := cleanupCloseAndReuseFd(t, k)
			// The closed handle is unreachable now, and so is an open one
			// dropped with it: once the open one's cleanup has run, and a
			// few collections more, a cleanup the closed one failed to stop
			// would have closed the reused descriptor.
			path := k.path(name)
			if !cleanupCollectUntil(func() bool {
				u := cleanupCount(t, path)
				return u.pathFds == 0 && u.pathMaps == 0
			}) {
				t.Fatalf("the dropped open handle of %s was not released", path)
			}
			for range 3 {
				runtime.GC()
			}
		})
	}
}

// cleanupCloseAndReuseFd opens and closes a handle of a new object, opens
// /dev/null on the descriptor number the handle had, and drops the closed
// handle and another, open one. At the end of the test it checks that the
// descriptor is still /dev/null, and closes it. It returns the object's
// name.
//
//go:noinline
func cleanupCloseAndReuseFd(t *testing.T, k cleanupKind) string {
	name := uniqueName(t)
	k.create(t, name)
	closed, fd := k.open(t, name)
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	var null syscall.Stat_t
	if err := syscall.Stat(os.DevNull, &null); err != nil {
		t.Fatal(err)
	}
	// The kernel hands out the lowest free number, so the next open gets
	// fd unless another goroutine took it first: keep trying.
	var extra []int
	reused := -1
	for range 100 {
		nfd, err := syscall.Open(os.DevNull, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if nfd == fd {
			reused = nfd
			break
		}
		extra = append(extra, nfd)
	}
	for _, e := range extra {
		syscall.Close(e)
	}
	if reused < 0 {
		t.Fatalf("descriptor %d was not handed out again", fd)
	}
	t.Cleanup(func() {
		var st syscall.Stat_t
		if err := syscall.Fstat(reused, &st); err != nil {
			t.Errorf("descriptor %d (/dev/null) after GC: %v; the closed handle's cleanup closed it", reused, err)
			return
		}
		if st.Rdev != null.Rdev || st.Ino != null.Ino {
			t.Errorf("descriptor %d is no longer /dev/null after GC", reused)
		}
		syscall.Close(reused)
	})
	open, _ := k.open(t, name)
	runtime.KeepAlive(open)
	runtime.KeepAlive(closed)
	return name
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
	case Shm:
		calls["ReadAt"] = func() error { _, err := h.ReadAt(buf, 0); return err }
		calls["WriteAt"] = func() error { _, err := h.WriteAt(buf, 0); return err }
		calls["Seek"] = func() error { _, err := h.Seek(0, io.SeekStart); return err }
		calls["ReadFrom"] = func() error { _, err := h.ReadFrom(bytes.NewReader(buf)); return err }
		calls["WriteTo"] = func() error { _, err := h.WriteTo(io.Discard); return err }
		calls["Size"] = func() error { _, err := h.Size(); return err }
		calls["Truncate"] = func() error { return h.Truncate(1) }
		calls["Sync"] = func() error { return h.Sync() }
	case Mq:
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
	case Sem:
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

// semLeakWarmUp runs the sem cycles of TestReliabilityOpenCloseCyclesLeakNothing
// once before it measures. A semaphore's mapping goes when its handles are
// collected, not at Close (see SemFile), so the creates of a round keep
// their mappings until the collector runs; the address space they took
// once is not a leak. It returns once the collector has released them.
func semLeakWarmUp(t *testing.T, cycles int, name, other string, use func(File) error) {
	t.Helper()
	ipcBefore := relMeasure(t).ipcMaps
	for i := range cycles {
		relOpenUseClose(t, "sem", name, use)
		if i%10 == 0 {
			f, err := relCreate("sem", other, 0o600)
			if err != nil {
				t.Fatalf("warm-up: create: %v", err)
			}
			f.Close()
			if err := relRemove("sem", other); err != nil {
				t.Fatalf("warm-up: remove: %v", err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for relMeasure(t).ipcMaps > ipcBefore {
		if time.Now().After(deadline) {
			t.Fatalf("warm-up: mappings of IPC objects %d, want %d once handles are collected", relMeasure(t).ipcMaps, ipcBefore)
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
}
