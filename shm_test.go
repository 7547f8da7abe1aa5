//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestOpenShmCreateExclOnExistingSegmentFailsWithErrExist(t *testing.T) {
	_, name := shmCreate(t, 0)
	_, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 0)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("OpenShm(O_CREATE|O_EXCL) on existing = %v; want fs.ErrExist", err)
	}
	shmCheckPathError(t, err, "open", name)
}

func TestOpenShmMissingWithoutCreateFailsWithErrNotExist(t *testing.T) {
	name := uniqueName(t)
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR, os.O_RDWR | os.O_TRUNC} {
		_, err := OpenShm(name, flag, 0o600, 0)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenShm(missing, %#o) = %v; want fs.ErrNotExist", flag, err)
		}
		shmCheckPathError(t, err, "open", name)
	}
	if _, err := os.Lstat(shmHostPath(name)); !os.IsNotExist(err) {
		t.Errorf("a failed open left %s behind (%v)", shmHostPath(name), err)
	}
}

func TestOpenShmCreateOpensExistingSegment(t *testing.T) {
	f, name := shmCreate(t, 0)
	if _, err := f.Write([]byte("kept")); err != nil {
		t.Fatal(err)
	}
	g, err := OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, 0)
	if err != nil {
		t.Fatalf("OpenShm(O_CREATE) on existing: %v", err)
	}
	defer g.Close()
	shmCheckContent(t, g, "kept")
}

func TestOpenShmWithAndWithoutSlashNameTheSameSegment(t *testing.T) {
	f, name := shmCreate(t, 0)
	if _, err := f.Write([]byte("same")); err != nil {
		t.Fatal(err)
	}
	g := shmOpenT(t, strings.TrimPrefix(name, "/"), os.O_RDONLY)
	shmCheckContent(t, g, "same")
	if g.Name() != name {
		t.Errorf("Name() = %q; want %q", g.Name(), name)
	}
}

func TestOpenShmRejectsInvalidNames(t *testing.T) {
	cases := []struct{ desc, name string }{
		{"empty", ""},
		{"slash only", "/"},
		{"dot", "/."},
		{"dotdot", "/.."},
		{"parent escape", "../etc/passwd"},
		{"nested escape", "a/../../x"},
		{"double slash", "//x"},
		{"NUL byte", "/a\x00b"},
		{"too long", "/" + strings.Repeat("x", 256)},
		{"glibc semaphore prefix", "/sem.x"},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			_, err := OpenShm(c.name, os.O_RDWR|os.O_CREATE, 0o600, 0)
			if !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("OpenShm(%q) = %v; want fs.ErrInvalid", c.name, err)
			}
			shmCheckPathError(t, err, "open", c.name)
			if err := RemoveShm(c.name); !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("RemoveShm(%q) = %v; want fs.ErrInvalid", c.name, err)
			}
		})
	}
}

func TestOpenShmAcceptsLongestName(t *testing.T) {
	u := uniqueName(t)
	name := u + strings.Repeat("L", 256-len(u)) // 255 bytes after the slash
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 1)
	if err != nil {
		t.Fatalf("OpenShm(255-byte name): %v", err)
	}
	f.Close()
	if err := RemoveShm(name); err != nil {
		t.Fatal(err)
	}
}

func TestOpenShmModeIsSubjectToUmask(t *testing.T) {
	for _, c := range []struct {
		umask int
		perm  fs.FileMode
		want  fs.FileMode
	}{
		{0o022, 0o666, 0o644},
		{0o077, 0o666, 0o600},
		{0, 0o640, 0o640},
	} {
		old := syscall.Umask(c.umask)
		f, name := shmCreateMode(t, c.perm)
		syscall.Umask(old)
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.want {
			t.Errorf("perm %v under umask %#o: mode %v; want %v", c.perm, c.umask, fi.Mode(), c.want)
		}
		hostFi, err := os.Stat(shmHostPath(name))
		if err != nil || hostFi.Mode() != c.want {
			t.Errorf("%s: mode %v, %v; want %v", shmHostPath(name), hostFi.Mode(), err, c.want)
		}
	}
}

func TestOpenShmSizeResizesNewAndExistingSegments(t *testing.T) {
	page := int64(os.Getpagesize())
	f, name := shmCreate(t, 1000)
	shmCheckSize(t, f, 1000)
	for _, c := range []struct {
		desc string
		size int64
		want int64
	}{
		{"grow", 3*page + 7, 3*page + 7},
		{"size 0 leaves it alone", 0, 3*page + 7},
		{"shrink", 10, 10},
	} {
		g, err := OpenShm(name, os.O_RDWR, 0, c.size)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		shmCheckSize(t, g, c.want)
		g.Close()
	}
	shmCheckSize(t, f, 10)
}

func TestOpenShmTruncFlagEmptiesSegment(t *testing.T) {
	f, name := shmCreate(t, 5000)
	g, err := OpenShm(name, os.O_RDWR|os.O_TRUNC, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	shmCheckSize(t, g, 0)
	shmCheckSize(t, f, 0)
	// O_TRUNC then resize, as posix_ipc's SharedMemory(name, O_TRUNC, size=n).
	h, err := OpenShm(name, os.O_RDWR|os.O_TRUNC, 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	shmCheckContent(t, h, strings.Repeat("\x00", 64))
}

func TestOpenShmRemovesSegmentItCreatedWhenResizeFails(t *testing.T) {
	// A read-only handle cannot ftruncate (EINVAL): posix_ipc 0.9.4 left
	// the new segment behind in this case.
	name := uniqueName(t)
	t.Cleanup(func() { shmRemoveQuietly(t, name) })
	_, err := OpenShm(name, os.O_RDONLY|os.O_CREATE, 0o600, 4096)
	if !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("read-only create with size = %v; want EINVAL", err)
	}
	if _, err := os.Lstat(shmHostPath(name)); !os.IsNotExist(err) {
		t.Fatalf("segment left behind after failed resize: %v", err)
	}
}

func TestOpenShmKeepsExistingSegmentWhenResizeFails(t *testing.T) {
	_, name := shmCreate(t, 100)
	_, err := OpenShm(name, os.O_RDONLY|os.O_CREATE, 0o600, 4096)
	if !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("read-only open with size = %v; want EINVAL", err)
	}
	fi, err := os.Stat(shmHostPath(name))
	if err != nil || fi.Size() != 100 {
		t.Fatalf("existing segment after failed resize: %v, %v; want it kept at 100 bytes", fi, err)
	}
}

func TestOpenShmNegativeSizeIsInvalid(t *testing.T) {
	name := uniqueName(t)
	if _, err := OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, -1); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("size -1: %v; want EINVAL", err)
	}
	if _, err := os.Lstat(shmHostPath(name)); !os.IsNotExist(err) {
		t.Fatalf("segment created despite bad size: %v", err)
	}
}

func TestOpenShmDoesNotFollowSymlinks(t *testing.T) {
	target := t.TempDir() + "/target"
	if err := os.WriteFile(target, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	name := uniqueName(t)
	if err := os.Symlink(target, shmHostPath(name)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(shmHostPath(name)) })
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR, os.O_RDWR | os.O_CREATE, os.O_RDWR | os.O_TRUNC} {
		_, err := OpenShm(name, flag, 0o600, 64)
		if !errors.Is(err, syscall.ELOOP) {
			t.Errorf("OpenShm(symlink, %#o) = %v; want ELOOP", flag, err)
		}
	}
	if _, err := statShm(name[1:]); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("statShm(symlink) = %v; want ELOOP", err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "secret" {
		t.Errorf("symlink target changed: %q, %v", b, err)
	}
}

func TestOpenShmRefusesNonRegularFiles(t *testing.T) {
	name := uniqueName(t)
	path := shmHostPath(name)
	for _, c := range []struct {
		desc string
		make func() error
	}{
		{"directory", func() error { return os.Mkdir(path, 0o700) }},
		{"fifo", func() error { return syscall.Mkfifo(path, 0o600) }}, // must not block
	} {
		if err := c.make(); err != nil {
			t.Fatal(err)
		}
		_, err := OpenShm(name, os.O_RDONLY, 0, 0)
		if !errors.Is(err, syscall.ENODEV) {
			t.Errorf("%s: OpenShm = %v; want ENODEV", c.desc, err)
		}
		if _, err := statShm(name[1:]); !errors.Is(err, syscall.ENODEV) {
			t.Errorf("%s: statShm = %v; want ENODEV", c.desc, err)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenShmWriteOnlyOpensReadWrite(t *testing.T) {
	_, name := shmCreate(t, 0)
	g := shmOpenT(t, name, os.O_WRONLY)
	if _, err := g.Write([]byte("wo")); err != nil {
		t.Fatalf("Write on O_WRONLY handle: %v", err)
	}
	shmCheckContent(t, g, "wo")
}

func TestOpenShmDescriptorIsCloseOnExec(t *testing.T) {
	f, _ := shmCreate(t, 0)
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
	if errno != 0 || flags&syscall.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", flags, errno)
	}
	fl, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFL, 0)
	if errno != 0 || fl&syscall.O_NONBLOCK != 0 || fl&syscall.O_ACCMODE != syscall.O_RDWR {
		t.Errorf("F_GETFL = %#o, %v; want O_RDWR without O_NONBLOCK", fl, errno)
	}
}

func TestRemoveShmKeepsOpenHandlesWorking(t *testing.T) {
	f, name := shmCreate(t, 0)
	if _, err := f.Write([]byte("before")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveShm(name); err != nil {
		t.Fatalf("RemoveShm: %v", err)
	}
	if _, err := OpenShm(name, os.O_RDONLY, 0, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open after remove = %v; want fs.ErrNotExist", err)
	}
	if _, err := f.WriteAt([]byte(" and after"), 6); err != nil {
		t.Fatalf("WriteAt after remove: %v", err)
	}
	shmCheckContent(t, f, "before and after")
	err := RemoveShm(name)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("second RemoveShm = %v; want fs.ErrNotExist", err)
	}
	shmCheckPathError(t, err, "remove", name)
}

// TestShmUnmappableSizeFailsAndChangesNothing checks that a resize to a
// size this process cannot map (tmpfs takes any sparse size, the address
// space does not) fails with an error and leaves the segment's size as it
// was, both through Truncate and through OpenShm's size argument.
func TestShmUnmappableSizeFailsAndChangesNothing(t *testing.T) {
	const huge = math.MaxInt64 / 2
	f, name := shmCreate(t, 10)
	if err := f.Truncate(huge); err == nil {
		t.Fatalf("Truncate(%d) succeeded; want an error (the size cannot be mapped)", int64(huge))
	}
	if n, err := f.Size(); n != 10 || err != nil {
		t.Errorf("Size after the failed Truncate = %d, %v; want 10", n, err)
	}
	g, err := OpenShm(name, os.O_RDWR, 0, huge)
	if err == nil {
		g.Close()
		t.Fatalf("OpenShm(size %d) succeeded; want an error", int64(huge))
	}
	if n, err := f.Size(); n != 10 || err != nil {
		t.Errorf("Size after the failed OpenShm = %d, %v; want 10", n, err)
	}
	if _, err := f.WriteAt([]byte("still works"), 0); err != nil {
		t.Errorf("WriteAt after the failed resizes: %v", err)
	}
}

// shmCountMappings counts this process's mappings of the host file path,
// and its open descriptors.
func shmCountMappings(t *testing.T, path string) (maps, fds int) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasSuffix(line, " "+path) || strings.HasSuffix(line, " "+path+" (deleted)") {
			maps++
		}
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return maps, len(entries)
}

func TestShmFileCloseReleasesEveryMappingAndDescriptor(t *testing.T) {
	_, name := shmCreate(t, 0)
	path := shmHostPath(name)
	_, fdsBefore := shmCountMappings(t, path)
	for range 20 {
		f, err := OpenShm(name, os.O_RDWR, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Grow in steps so the handle holds several mappings, and keep a
		// Bytes slice of each.
		for size := 1 << 12; size <= 1<<22; size <<= 2 {
			if _, err := f.WriteAt(bytes.Repeat([]byte("g"), 100), int64(size)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Bytes(); err != nil {
				t.Fatal(err)
			}
		}
		if maps, _ := shmCountMappings(t, path); maps < 2 {
			t.Fatalf("%d mappings of %s while open; want several (old ones kept until Close)", maps, path)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(0); err == nil {
			t.Fatal("Truncate after Close succeeded")
		}
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
	}
	// Fewer descriptors than before is fine: the cleanup of a handle some
	// earlier test dropped without Close may have run meanwhile.
	maps, fds := shmCountMappings(t, path)
	if maps != 0 || fds > fdsBefore {
		t.Errorf("after Close: %d mappings of %s, %d descriptors (before: %d); want 0 and no more than before", maps, path, fds, fdsBefore)
	}
}
