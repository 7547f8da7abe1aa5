package mount_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

// TestAtHostNamespace mounts the host's namespace inside a MemMapFs and
// goes through it with afero's helpers (objects with unique names, all
// removed).
func TestAtHostNamespace(t *testing.T) {
	ns := ipcfs.New()
	if missing := hostMissing(ns); len(missing) > 0 {
		t.Skipf("the host namespace of this build does not implement %v (errors.ErrUnsupported)", missing)
	}
	afs := mount.At(afero.NewMemMapFs(), "/run/app", ns)
	name := fmt.Sprintf("mounttest-%d", os.Getpid())
	for _, dir := range []string{"shm", "mq", "sem"} {
		t.Cleanup(func() { ns.Remove(dir + "/" + name) })
	}

	seg := "/run/app/shm/" + name
	if err := afero.WriteFile(afs, seg, []byte("on the host"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := afero.ReadFile(afs, seg); err != nil || string(b) != "on the host" {
		t.Errorf("ReadFile(%s) = %q, %v", seg, b, err)
	}
	// A queue created through the mount has the system's default
	// attributes: remove it at once.
	q := "/run/app/mq/" + name
	if err := afero.WriteFile(afs, q, []byte("one message"), 0o600); err != nil {
		t.Fatal(err)
	}
	// afero.ReadFile only looks: the status text, the message stays.
	if b, err := afero.ReadFile(afs, q); err != nil || !strings.Contains(string(b), "current_messages 1\n") {
		t.Errorf("ReadFile(%s) = %q, %v; want the status text with current_messages 1", q, b, err)
	}
	f, err := afs.OpenFile(q, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.(ipcfs.Mq).Attr()
	b := make([]byte, a.MessageSize)
	if n, err := f.Read(b); err != nil || string(b[:n]) != "one message" {
		t.Errorf("Read(%s) = %q, %v", q, b[:n], err)
	}
	f.Close()
	if err := afs.Remove(q); err != nil {
		t.Errorf("Remove(%s) = %v", q, err)
	}
	sem := "/run/app/sem/" + name
	if err := afero.WriteFile(afs, sem, []byte{1, 1}, 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := afs.Stat(sem); err != nil || fi.Sys().(ipcfs.SemInfo).Value != 2 {
		t.Errorf("Stat(%s) = %v, %v; want value 2", sem, fi, err)
	}
	names, err := readDirNames(afs, "/run/app/shm")
	if err != nil || !slices.Contains(names, name) {
		t.Errorf("Readdirnames(/run/app/shm) lacks %q (%v)", name, err)
	}
	for _, p := range []string{seg, sem} {
		if err := afs.Remove(p); err != nil {
			t.Errorf("Remove(%s) = %v", p, err)
		}
	}
}
