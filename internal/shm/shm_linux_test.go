//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package shm

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// tempFile returns a new file of size bytes opened with Open, as an
// *os.File (closed when t ends) and its descriptor.
func tempFile(t *testing.T, size int64) (*os.File, int) {
	t.Helper()
	fd, err := Open(t.TempDir()+"/seg", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "seg")
	t.Cleanup(func() { f.Close() })
	if err := Truncate(fd, size); err != nil {
		t.Fatal(err)
	}
	return f, fd
}

func TestGuardTurnsSIGBUSOnItsMappingIntoFaulted(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	page := os.Getpagesize()
	f, fd := tempFile(t, int64(4*page))
	m, err := Map(f, 4*page, true)
	if err != nil {
		t.Fatal(err)
	}
	defer Unmap(m)
	owns := func(addr uintptr) bool {
		base := uintptr(unsafe.Pointer(&m[0]))
		return addr >= base && addr < base+uintptr(len(m))
	}
	if Guard(owns, func() { m[3*page] = 1 }) {
		t.Fatal("store inside the file reported a fault")
	}
	if err := Truncate(fd, int64(page)); err != nil {
		t.Fatal(err)
	}
	if !Guard(owns, func() { m[3*page] = 2 }) {
		t.Fatal("store past the end of the file did not report a fault")
	}
	var v byte
	if !Guard(owns, func() { v = m[2*page] }) {
		t.Fatalf("load past the end of the file did not report a fault (read %d)", v)
	}
}

func TestMapSharesSyncsAndUnmaps(t *testing.T) {
	page := os.Getpagesize()
	f, fd := tempFile(t, int64(page))
	w, err := Map(f, 2*page, true) // past the end of the file, room to grow
	if err != nil {
		t.Fatal(err)
	}
	r, err := Map(f, page, false)
	if err != nil {
		t.Fatal(err)
	}
	copy(w, "shared")
	if err := Sync(w); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if string(r[:6]) != "shared" {
		t.Errorf("read-only mapping shows %q; want the writable one's bytes", r[:6])
	}
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "shared" {
		t.Errorf("file after Sync = %q, %v", buf, err)
	}
	if err := Truncate(fd, int64(2*page)); err != nil {
		t.Fatal(err)
	}
	w[page] = 7 // the grown part is reachable through the existing mapping
	if _, err := f.ReadAt(buf[:1], int64(page)); err != nil || buf[0] != 7 {
		t.Errorf("byte at the first page past the old end = %d, %v; want 7", buf[0], err)
	}
	if err := Unmap(w); err != nil {
		t.Fatal(err)
	}
	if err := Unmap(r); err != nil {
		t.Fatal(err)
	}
}

func TestGuardPassesOtherPanicsOn(t *testing.T) {
	defer func() {
		if r := recover(); r != "not a fault" {
			t.Errorf("recovered %v; want the original panic", r)
		}
	}()
	Guard(func(uintptr) bool { return true }, func() { panic("not a fault") })
	t.Error("Guard swallowed a panic")
}

func TestGuardPassesFaultsElsewhereOn(t *testing.T) {
	defer func() {
		if _, ok := recover().(runtime.Error); !ok {
			t.Error("want the nil dereference's runtime.Error to propagate")
		}
	}()
	var p *int
	Guard(func(uintptr) bool { return false }, func() { _ = *p })
	t.Error("Guard swallowed a nil dereference")
}

func TestOpenRefusesSymlinksAndKeepsNoNonblock(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(dir+"/target", dir+"/link"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir+"/link", os.O_RDWR|os.O_CREATE, 0o600); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("Open(symlink, O_CREAT) = %v; want ELOOP", err)
	}
	if _, err := os.Lstat(dir + "/target"); !os.IsNotExist(err) {
		t.Errorf("Open created the symlink's target: %v", err)
	}
	_, fd := tempFile(t, 0)
	fl, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 || fl&syscall.O_NONBLOCK != 0 {
		t.Errorf("F_GETFL = %#o, %v; want no O_NONBLOCK", fl, errno)
	}
}

func TestReserveNeverChangesTheSize(t *testing.T) {
	_, fd := tempFile(t, 100)
	if err := Reserve(fd, 50, 1000); err != nil {
		t.Fatal(err)
	}
	if st, err := Fstat(fd); err != nil || st.Size != 100 {
		t.Errorf("size after Reserve(50, 1000) = %d, %v; want 100", st.Size, err)
	}
}

func TestWriteAtGrowsByWhatItWrote(t *testing.T) {
	_, fd := tempFile(t, 100)
	if n, err := WriteAt(fd, []byte("abc"), 200); n != 3 || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	if st, err := Fstat(fd); err != nil || st.Size != 203 {
		t.Errorf("size after WriteAt(3 bytes at 200) = %d, %v; want 203", st.Size, err)
	}
	if n, err := WriteAt(fd, []byte("x"), 0); n != 1 || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	if st, err := Fstat(fd); err != nil || st.Size != 203 {
		t.Errorf("size after WriteAt inside = %d, %v; want 203", st.Size, err)
	}
}

func TestStatReportsTypesAndPermissionBits(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/f", []byte("abc"), 0o640)
	os.Chmod(dir+"/f", 0o640|os.ModeSetuid)
	os.Symlink("f", dir+"/l")
	os.Mkdir(dir+"/d", 0o700)
	syscall.Mkfifo(dir+"/p", 0o600)
	for _, c := range []struct {
		name string
		want fs.FileMode
	}{
		{"f", 0o640 | fs.ModeSetuid},
		{"l", fs.ModeSymlink | 0o777},
		{"p", fs.ModeNamedPipe | 0o600},
		{"d", fs.ModeDir | 0o700},
	} {
		st, err := Lstat(dir + "/" + c.name)
		if err != nil || st.Mode != c.want {
			t.Errorf("Lstat(%q).Mode = %v, %v; want %v", c.name, st.Mode, err, c.want)
		}
		if _, ok := st.Sys.(*syscall.Stat_t); !ok {
			t.Errorf("Lstat(%q).Sys = %T", c.name, st.Sys)
		}
	}
	if st, _ := Lstat(dir + "/f"); st.Size != 3 || st.ModTime.IsZero() {
		t.Errorf("Lstat(f) = size %d, mtime %v", st.Size, st.ModTime)
	}
}
