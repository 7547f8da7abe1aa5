package ipcfs

// Tests that a ShmFile or SemFile dropped without Close is released by its
// cleanup (runtime.AddCleanup), and that Close stops the cleanup.

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
