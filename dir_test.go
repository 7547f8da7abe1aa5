//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// A name planted in /dev/shm that is not a valid io/fs path element (not
// UTF-8) is left out of ReadDir, whose every name must work in Stat and
// Open; the POSIX-name API still reaches it (issue 12).
func TestReadDirLeavesOutNamesThatAreNotPathElements(t *testing.T) {
	ns := New()
	_, good := shmCreate(t, 10)
	bad := good + "-\xff\xfe"
	semBad := good + "-sem-\xc3\x28"
	if err := os.WriteFile(shmHostPath(bad), []byte("planted"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(shmHostPath(bad)) })
	s, err := OpenSem(semBad, os.O_CREATE|os.O_EXCL, 0o600, 2)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	t.Cleanup(func() { RemoveSem(semBad) })

	for _, dir := range []string{"shm", "sem"} {
		entries, err := ns.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
			if p := dir + "/" + e.Name(); !fs.ValidPath(p) {
				t.Errorf("ReadDir(%s) lists %q, not a valid io/fs path", dir, p)
			}
		}
		if dir == "shm" && !slices.Contains(names, good[1:]) {
			t.Errorf("ReadDir(shm) misses %q", good[1:])
		}
		for _, n := range []string{bad[1:], semBad[1:]} {
			if slices.Contains(names, n) {
				t.Errorf("ReadDir(%s) lists %q", dir, n)
			}
		}
	}

	// Unlisted lists them, under their POSIX names.
	for dir, want := range map[string]string{"shm": bad[1:], "sem": semBad[1:]} {
		entries, err := ns.Unlisted(dir)
		if err != nil {
			t.Fatalf("Unlisted(%s): %v", dir, err)
		}
		found := false
		for _, e := range entries {
			if kind.Listed(e.Name()) {
				t.Errorf("Unlisted(%s) holds %q, which ReadDir lists", dir, e.Name())
			}
			found = found || e.Name() == want
		}
		if !found {
			t.Errorf("Unlisted(%s) misses %q", dir, want)
		}
	}
	if _, err := ns.Unlisted("shm/x"); err == nil {
		t.Errorf("Unlisted of an object succeeded")
	}

	// By POSIX name, the objects are there.
	f, err := OpenShm(bad, os.O_RDONLY, 0, 0)
	if err != nil {
		t.Fatalf("OpenShm(%q): %v", bad, err)
	}
	b := make([]byte, 7)
	if _, err := f.ReadAt(b, 0); err != nil || string(b) != "planted" {
		t.Errorf("ReadAt = %q, %v", b, err)
	}
	f.Close()
	if err := RemoveShm(bad); err != nil {
		t.Errorf("RemoveShm(%q): %v", bad, err)
	}
	if err := RemoveSem(semBad); err != nil {
		t.Errorf("RemoveSem(%q): %v", semBad, err)
	}
	if _, err := os.Stat(shmHostPath(bad)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("planted file still there after RemoveShm: %v", err)
	}
}
