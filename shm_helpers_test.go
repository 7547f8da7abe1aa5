package ipcfs

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// shmCreate creates a new segment of size bytes with a name unique to the
// test, opened read-write; the test's cleanup closes and removes it.
func shmCreate(t testing.TB, size int64) (*ShmFile, string) {
	t.Helper()
	name := uniqueName(t)
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, size)
	if err != nil {
		t.Fatalf("OpenShm(%q): %v", name, err)
	}
	t.Cleanup(func() {
		f.Close()
		shmRemoveQuietly(t, name)
	})
	return f, name
}

// shmRemoveQuietly removes name, failing the test on any error but
// fs.ErrNotExist.
func shmRemoveQuietly(t testing.TB, name string) {
	t.Helper()
	if err := RemoveShm(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveShm(%q): %v", name, err)
	}
}

// shmOpenT opens the existing segment name with flag; the test's cleanup
// closes it.
func shmOpenT(t testing.TB, name string, flag int) *ShmFile {
	t.Helper()
	f, err := OpenShm(name, flag, 0, 0)
	if err != nil {
		t.Fatalf("OpenShm(%q, %#o): %v", name, flag, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// shmHostPath is the file that holds the segment name.
func shmHostPath(name string) string { return "/dev/shm/" + name[1:] }
