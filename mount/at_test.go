package mount_test

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

func newAt(t *testing.T) (afero.Fs, afero.Fs, *ipcfstest.MemFS) {
	t.Helper()
	base := afero.NewMemMapFs()
	if err := afero.WriteFile(base, "/run/app/config.json", []byte(`{"queue":"/run/app/ipc/mq/jobs"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := ipcfstest.NewMemFS()
	return mount.At(base, "/run/app/ipc", m), base, m
}

func TestAtRoutesByPath(t *testing.T) {
	afs, base, m := newAt(t)
	if b, err := afero.ReadFile(afs, "/run/app/config.json"); err != nil || len(b) == 0 {
		t.Errorf("base file through At: %q, %v", b, err)
	}
	if err := afero.WriteFile(afs, "run/app/ipc/shm/state", []byte("ready"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stat("shm/state"); err != nil {
		t.Errorf("a write under the mount did not reach the namespace: %v", err)
	}
	if ok, _ := afero.Exists(base, "/run/app/ipc/shm/state"); ok {
		t.Error("a write under the mount reached base")
	}
	if err := afero.WriteFile(afs, "/run/app/other.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _ := afero.Exists(base, "/run/app/other.txt"); !ok {
		t.Error("a write beside the mount did not reach base")
	}
	f, err := afs.Create("/run/app/ipc/mq/jobs")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "/run/app/ipc/mq/jobs" {
		t.Errorf("Name() = %q; want the path it was created with", f.Name())
	}
	if _, ok := f.(ipcfs.Mq); !ok {
		t.Errorf("Create under mq/ gave a %T; want an ipcfs.Mq", f)
	}
	f.Close()
}

func TestAtParentListsMountPoint(t *testing.T) {
	afs, _, _ := newAt(t)
	names, err := readDirNames(afs, "/run/app")
	if err != nil || !slices.Equal(names, []string{"config.json", "ipc"}) {
		t.Errorf("Readdirnames(/run/app) = %q, %v; want [config.json ipc]", names, err)
	}
	names, err = readDirNames(afs, "/run/app/ipc")
	if err != nil || !slices.Equal(names, []string{"mq", "sem", "shm"}) {
		t.Errorf("Readdirnames(/run/app/ipc) = %q, %v; want [mq sem shm]", names, err)
	}
	fi, err := afs.Stat("/run/app/ipc")
	if err != nil || !fi.IsDir() || fi.Name() != "ipc" {
		t.Errorf("Stat(mount point) = %v, %v; want a directory named ipc", fi, err)
	}
	if ok, _ := afero.DirExists(afs, "/run/app/ipc/shm"); !ok {
		t.Error("DirExists(/run/app/ipc/shm) = false")
	}
}

func TestAtAncestorsExistWithoutBase(t *testing.T) {
	m := ipcfstest.NewMemFS()
	afs := mount.At(afero.NewMemMapFs(), "/var/lib/app", m)
	for _, p := range []string{"/var", "/var/lib"} {
		if fi, err := afs.Stat(p); err != nil || !fi.IsDir() {
			t.Errorf("Stat(%q) = %v, %v; want a directory on the way to the mount", p, fi, err)
		}
	}
	names, err := readDirNames(afs, "/var/lib")
	if err != nil || !slices.Equal(names, []string{"app"}) {
		t.Errorf("Readdirnames(/var/lib) = %q, %v; want [app]", names, err)
	}
}

func TestAtWalkSeesBothTrees(t *testing.T) {
	afs, _, _ := newAt(t)
	afero.WriteFile(afs, "/run/app/ipc/shm/seg", []byte("x"), 0o600)
	var visited []string
	err := afero.Walk(afs, "/run", func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		visited = append(visited, p)
		return nil
	})
	want := []string{"/run", "/run/app", "/run/app/config.json", "/run/app/ipc", "/run/app/ipc/mq",
		"/run/app/ipc/sem", "/run/app/ipc/shm", "/run/app/ipc/shm/seg"}
	if err != nil || !slices.Equal(visited, want) {
		t.Errorf("Walk(/run) = %q, %v; want %q", visited, err, want)
	}
}

func TestAtRemoveRenameMkdir(t *testing.T) {
	afs, base, _ := newAt(t)
	afero.WriteFile(afs, "/run/app/ipc/shm/seg", []byte("x"), 0o600)
	if err := afs.Remove("/run/app"); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("Remove of the mount's parent = %v; want EBUSY", err)
	}
	if err := afs.Remove("/run/app/ipc"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Remove of the mount point = %v; want EPERM", err)
	}
	if err := afs.Rename("/run/app/ipc/shm/seg", "/run/app/seg"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Rename out of the mount = %v; want errors.ErrUnsupported", err)
	}
	if err := afs.Rename("/run/app/config.json", "/run/app/config.old"); err != nil {
		t.Errorf("Rename within base = %v", err)
	}
	if err := afs.MkdirAll("/run/app/ipc/shm", 0o755); err != nil {
		t.Errorf("MkdirAll of a fixed directory under the mount = %v", err)
	}
	if err := afs.MkdirAll("/run/app/logs/2024", 0o755); err != nil {
		t.Errorf("MkdirAll in base = %v", err)
	}
	if ok, _ := afero.DirExists(base, "/run/app/logs/2024"); !ok {
		t.Error("MkdirAll beside the mount did not reach base")
	}
	if err := afs.RemoveAll("/run/app/ipc/shm/seg"); err != nil {
		t.Errorf("RemoveAll of an object = %v", err)
	}
	if err := afs.RemoveAll("/run"); err != nil {
		t.Errorf("RemoveAll of an ancestor = %v", err)
	}
	if ok, _ := afero.Exists(base, "/run/app/config.old"); ok {
		t.Error("RemoveAll(/run) left base's files")
	}
	if ok, _ := afero.DirExists(afs, "/run/app/ipc/mq"); !ok {
		t.Error("RemoveAll(/run) removed the mount")
	}
}

func TestAtOnOsFsBase(t *testing.T) {
	dir := t.TempDir()
	m := ipcfstest.NewMemFS()
	afs := mount.At(afero.NewOsFs(), dir+"/ipc", m)
	if err := afero.WriteFile(afs, dir+"/plain.txt", []byte("disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dir + "/plain.txt"); err != nil || string(b) != "disk" {
		t.Errorf("file beside the mount not on disk: %q, %v", b, err)
	}
	if err := afero.WriteFile(afs, dir+"/ipc/shm/seg", []byte("memory"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir + "/ipc"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the mount created %s/ipc on disk: %v", dir, err)
	}
	names, err := readDirNames(afs, dir)
	if err != nil || !slices.Equal(names, []string{"ipc", "plain.txt"}) {
		t.Errorf("Readdirnames(%s) = %q, %v; want [ipc plain.txt]", dir, names, err)
	}
}

func readDirNames(afs afero.Fs, dir string) ([]string, error) {
	f, err := afs.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	slices.Sort(names)
	return names, err
}

func TestAtIOFSPassesTestFS(t *testing.T) {
	// base holds only directories: MemMapFs's own files fail TestFS (their
	// ReadAt does not return io.EOF at the end).
	base := afero.NewMemMapFs()
	base.MkdirAll("/run/app/logs", 0o755)
	afs := mount.At(base, "/run/app/ipc", ipcfstest.NewMemFS())
	afero.WriteFile(afs, "/run/app/ipc/shm/a", []byte("alpha"), 0o600)
	afero.WriteFile(afs, "/run/app/ipc/shm/b", []byte("beta"), 0o600)
	if err := fstest.TestFS(afero.NewIOFS(afs), "run/app/logs", "run/app/ipc/shm/a", "run/app/ipc/shm/b"); err != nil {
		t.Error(err)
	}
}
