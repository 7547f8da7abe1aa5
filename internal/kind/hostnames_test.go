package kind

import (
	"os"
	"slices"
	"strconv"
	"testing"
)

// TestHostNamesListsNamesIOFSCannot: a file planted in /dev/shm under a
// name that is not UTF-8 is listed, as a segment or (with glibc's prefix)
// as a semaphore, never as both.
func TestHostNamesListsNamesIOFSCannot(t *testing.T) {
	if _, err := os.Stat(ShmDir); err != nil {
		t.Skipf("no %s here: %v", ShmDir, err)
	}
	name := "ipcfs-kindtest-" + strconv.Itoa(os.Getpid()) + "-\xff\x1b"
	for _, f := range []string{ShmDir + name, ShmDir + SemPrefix + name} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(f) })
	}
	for _, k := range []*Kind{Shm, Sem} {
		names, err := k.HostNames()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, name) {
			t.Errorf("%v.HostNames() lacks %q", k, name)
		}
		if slices.Contains(names, SemPrefix+name) {
			t.Errorf("%v.HostNames() lists the semaphore file %q", k, SemPrefix+name)
		}
		if !slices.IsSorted(names) {
			t.Errorf("%v.HostNames() is not sorted", k)
		}
	}
}
