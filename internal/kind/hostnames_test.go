package kind_test

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sem"
)

// TestHostNamesListsNamesIOFSCannot: a file planted in /dev/shm under a
// name that is not UTF-8 is listed, as a segment or (with glibc's prefix)
// as a semaphore, never as both.
//
// /dev/shm is the host's, shared with every test running at the same time
// (the root package's, under go test ./...), so both files are objects
// their kind accepts: an empty segment, and a semaphore holding glibc's
// image of value 0, written under another name and renamed into place, as
// sem_open publishes one. A planted file that is not a semaphore would be
// a corrupt object to whatever lists the host meanwhile (ipcfs ls warns
// about it).
func TestHostNamesListsNamesIOFSCannot(t *testing.T) {
	if _, err := os.Stat(kind.ShmDir); err != nil {
		t.Skipf("no %s here: %v", kind.ShmDir, err)
	}
	base := "ipcfs-kindtest-" + strconv.Itoa(os.Getpid())
	name := base + "-\xff\x1b"
	seg, semFile, tmp := kind.ShmDir+name, kind.ShmDir+kind.SemPrefix+name, kind.ShmDir+base+"-tmp"
	for _, f := range []string{seg, semFile, tmp} {
		t.Cleanup(func() { os.Remove(f) })
	}
	if err := os.WriteFile(seg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, sem.Image(0), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, semFile); err != nil {
		t.Fatal(err)
	}
	for _, k := range []*kind.Kind{kind.Shm, kind.Sem} {
		names, err := k.HostNames()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, name) {
			t.Errorf("%v.HostNames() lacks %q", k, name)
		}
		if slices.Contains(names, kind.SemPrefix+name) {
			t.Errorf("%v.HostNames() lists the semaphore file %q", k, kind.SemPrefix+name)
		}
		if !slices.IsSorted(names) {
			t.Errorf("%v.HostNames() is not sorted", k)
		}
	}
}
