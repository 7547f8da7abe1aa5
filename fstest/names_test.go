package fstest_test

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
)

// TestNamesReachWhatReadDirCannot: a name that is not UTF-8 is listed by
// Names, opened and removed by POSIX name, for every kind.
func TestNamesReachWhatReadDirCannot(t *testing.T) {
	m := ipcfstest.NewMemFS()
	const bad = "job-\xff\xfe"
	closers := []interface{ Close() error }{}
	s, err := m.OpenShm(bad, os.O_RDWR|os.O_CREATE, 0o600, 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := m.OpenMq("/"+bad, os.O_RDWR|os.O_CREATE, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	sem, err := m.OpenSem(bad, os.O_RDWR|os.O_CREATE, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, s, q, sem)
	for _, c := range closers {
		c.Close()
	}
	if _, err := m.OpenShm("ok", os.O_RDWR|os.O_CREATE, 0o600, 0); err != nil {
		t.Fatal(err)
	}
	removers := map[string]func(string) error{"shm": m.RemoveShm, "mq": m.RemoveMq, "sem": m.RemoveSem}
	for dir, remove := range removers {
		names, err := m.Names(dir)
		if err != nil || !slices.Contains(names, bad) {
			t.Fatalf("Names(%q) = %q, %v; want it to hold %q", dir, names, err, bad)
		}
		if dir == "shm" && !slices.Equal(names, []string{bad, "ok"}) && !slices.Equal(names, []string{"ok", bad}) {
			t.Errorf("Names(shm) = %q; want exactly the two segments", names)
		}
		if err := remove("/" + bad); err != nil {
			t.Errorf("Remove by POSIX name in %s: %v", dir, err)
		}
		if err := remove(bad); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("second removal in %s: %v; want fs.ErrNotExist", dir, err)
		}
		if names, _ := m.Names(dir); slices.Contains(names, bad) {
			t.Errorf("Names(%q) after removal = %q", dir, names)
		}
	}
	if err := m.RemoveShm("a/b"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("RemoveShm(a/b) = %v; want fs.ErrInvalid", err)
	}
	if _, err := m.Names("dev"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Names(dev) = %v; want fs.ErrNotExist", err)
	}
	if _, err := ipcfstest.NewMemFS(ipcfstest.MqueueUnmounted()).Names("mq"); !errors.Is(err, ipcfs.ErrMqueueNotMounted) {
		t.Errorf("Names(mq) without the mqueue mount = %v; want ipcfs.ErrMqueueNotMounted", err)
	}
}
