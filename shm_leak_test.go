package ipcfs

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

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
