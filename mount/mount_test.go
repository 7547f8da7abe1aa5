package mount_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

var bg = context.Background()

func newMount(t *testing.T) (afero.Fs, *ipcfstest.MemFS) {
	t.Helper()
	m := ipcfstest.NewMemFS()
	return mount.New(m), m
}

func mustCreate(t *testing.T, afs afero.Fs, name string) afero.File {
	t.Helper()
	f, err := afs.Create(name)
	if err != nil {
		t.Fatalf("Create(%q) = %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestNameIsIpcfs(t *testing.T) {
	afs, _ := newMount(t)
	if afs.Name() != "ipcfs" {
		t.Errorf("Name() = %q; want %q", afs.Name(), "ipcfs")
	}
}

func TestPathsWithOrWithoutLeadingSlash(t *testing.T) {
	afs, _ := newMount(t)
	mustCreate(t, afs, "/shm/x").Write([]byte("abc"))
	for _, p := range []string{"/shm/x", "shm/x", "shm//x", "/shm/x/", "/shm/../shm/x"} {
		fi, err := afs.Stat(p)
		if err != nil || fi.Size() != 3 {
			t.Errorf("Stat(%q) = %v, %v; want the 3-byte segment", p, fi, err)
		}
	}
	for _, p := range []string{"/", "", ".", "/shm", "mq/", "sem"} {
		if fi, err := afs.Stat(p); err != nil || !fi.IsDir() {
			t.Errorf("Stat(%q) = %v, %v; want a directory", p, fi, err)
		}
	}
}

func TestCreateMakesTheKindOfItsDirectory(t *testing.T) {
	afs, _ := newMount(t)
	if _, ok := mustCreate(t, afs, "/shm/a").(ipcfs.Shm); !ok {
		t.Error("Create(/shm/a) is not an ipcfs.Shm")
	}
	q, ok := mustCreate(t, afs, "/mq/q").(ipcfs.Mq)
	if !ok {
		t.Fatal("Create(/mq/q) is not an ipcfs.Mq")
	}
	if a, _ := q.Attr(); a.MaxMessages != ipcfstest.DefaultMaxMessages || a.MessageSize != ipcfstest.DefaultMessageSize {
		t.Errorf("Create(/mq/q) attributes = %+v; want the defaults", a)
	}
	s, ok := mustCreate(t, afs, "/sem/s").(ipcfs.Sem)
	if !ok {
		t.Fatal("Create(/sem/s) is not an ipcfs.Sem")
	}
	if v, _ := s.Value(); v != 0 {
		t.Errorf("Create(/sem/s) value = %d; want 0", v)
	}
	// Create truncates an existing segment, and opens existing queues and
	// semaphores as they are.
	afero.WriteFile(afs, "/shm/a", []byte("content"), 0o600)
	q.Write([]byte("m"))
	s.Write([]byte{1})
	mustCreate(t, afs, "/shm/a")
	mustCreate(t, afs, "/mq/q")
	mustCreate(t, afs, "/sem/s")
	if fi, _ := afs.Stat("/shm/a"); fi.Size() != 0 {
		t.Errorf("Create of an existing segment left size %d; want 0", fi.Size())
	}
	if a, _ := q.Attr(); a.CurMessages != 1 {
		t.Errorf("Create of an existing queue: %d messages; want 1", a.CurMessages)
	}
	if v, _ := s.Value(); v != 1 {
		t.Errorf("Create of an existing semaphore: value %d; want 1", v)
	}
}

func TestMkdirOnlyForFixedDirectories(t *testing.T) {
	afs, _ := newMount(t)
	for _, p := range []string{"/", "/shm", "mq", "/sem/"} {
		if err := afs.Mkdir(p, 0o755); err != nil {
			t.Errorf("Mkdir(%q) = %v; want nil", p, err)
		}
		if err := afs.MkdirAll(p, 0o755); err != nil {
			t.Errorf("MkdirAll(%q) = %v; want nil", p, err)
		}
	}
	for _, p := range []string{"/shm/sub", "/other", "/a/b/c"} {
		if err := afs.Mkdir(p, 0o755); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Mkdir(%q) = %v; want EPERM", p, err)
		}
		if err := afs.MkdirAll(p, 0o755); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("MkdirAll(%q) = %v; want EPERM", p, err)
		}
	}
}

func TestRemoveAndRemoveAll(t *testing.T) {
	afs, m := newMount(t)
	mustCreate(t, afs, "/shm/a")
	mustCreate(t, afs, "/sem/s")
	if err := afs.RemoveAll("/shm/missing"); err != nil {
		t.Errorf("RemoveAll of a missing object = %v; want nil", err)
	}
	if err := afs.RemoveAll("/nope/deeper"); err != nil {
		t.Errorf("RemoveAll of a missing path = %v; want nil", err)
	}
	if err := afs.RemoveAll("/shm/a"); err != nil {
		t.Errorf("RemoveAll(/shm/a) = %v", err)
	}
	if ok, _ := afero.Exists(afs, "/shm/a"); ok {
		t.Error("/shm/a exists after RemoveAll")
	}
	for _, p := range []string{"/", "/sem"} {
		if err := afs.RemoveAll(p); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("RemoveAll(%q) = %v; want EPERM", p, err)
		}
	}
	if _, err := m.Stat("sem/s"); err != nil {
		t.Errorf("RemoveAll of a directory removed its objects: %v", err)
	}
	if err := afs.Remove("/sem/s"); err != nil {
		t.Errorf("Remove(/sem/s) = %v", err)
	}
	err := afs.Remove("/sem/s")
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Err != syscall.ENOENT || pe.Path != "/sem/s" || pe.Op != "remove" {
		t.Errorf("second Remove = %#v; want &PathError{remove /sem/s ENOENT}", err)
	}
}

func TestRenameUnsupported(t *testing.T) {
	afs, _ := newMount(t)
	mustCreate(t, afs, "/shm/a")
	if err := afs.Rename("/shm/a", "/shm/b"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Rename = %v; want errors.ErrUnsupported", err)
	}
}

func TestErrorsHoldTheErrnoDirectly(t *testing.T) {
	afs, _ := newMount(t)
	mustCreate(t, afs, "/shm/a")
	_, err1 := afs.Open("/shm/missing")
	_, err2 := afs.OpenFile("/shm/a", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	_, err3 := afs.Open("/nowhere")
	_, err4 := afs.OpenFile("/shm", os.O_RDWR, 0)
	for _, c := range []struct {
		err  error
		want error
		path string
	}{
		{err1, syscall.ENOENT, "/shm/missing"},
		{err2, syscall.EEXIST, "/shm/a"},
		{err3, fs.ErrNotExist, "/nowhere"},
		{err4, syscall.EISDIR, "/shm"},
	} {
		pe, ok := c.err.(*fs.PathError)
		if !ok || pe.Err != c.want || pe.Path != c.path {
			t.Errorf("error = %#v; want *fs.PathError{Path: %q, Err: %v} with the error itself inside", c.err, c.path, c.want)
		}
	}
}

func TestCopyOnWriteFsSeesMissingObjects(t *testing.T) {
	afs, _ := newMount(t)
	afero.WriteFile(afs, "/shm/a", []byte("base"), 0o600)
	cow := afero.NewCopyOnWriteFs(afs, afero.NewMemMapFs())
	if b, err := afero.ReadFile(cow, "/shm/a"); err != nil || string(b) != "base" {
		t.Errorf("ReadFile through CopyOnWriteFs = %q, %v; want %q", b, err, "base")
	}
	if _, err := cow.Stat("/shm/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing object through CopyOnWriteFs = %v; want fs.ErrNotExist", err)
	}
}

func TestEachHandleKeepsItsOffset(t *testing.T) {
	afs, _ := newMount(t)
	afero.WriteFile(afs, "/shm/a", []byte("0123456789"), 0o600)
	f1, _ := afs.Open("/shm/a")
	f2, _ := afs.Open("/shm/a")
	defer f1.Close()
	defer f2.Close()
	b := make([]byte, 4)
	f1.Read(b)
	f1.Read(b)
	if n, _ := f2.Read(b); string(b[:n]) != "0123" {
		t.Errorf("second handle read %q; want %q (its own offset)", b[:n], "0123")
	}
	if n, _ := f1.Read(b); string(b[:n]) != "89" {
		t.Errorf("first handle read %q; want %q", b[:n], "89")
	}
}

func TestAppendAndWriteOnlySegments(t *testing.T) {
	afs, _ := newMount(t)
	afero.WriteFile(afs, "/shm/log", []byte("one\n"), 0o600)
	f, err := afs.OpenFile("/shm/log", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("two\n")
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Error("WriteAt on an O_APPEND file succeeded; want an error, as os.File")
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, syscall.EBADF) {
		t.Errorf("Read on an O_WRONLY segment = %v; want EBADF", err)
	}
	f.Close()
	if b, _ := afero.ReadFile(afs, "/shm/log"); string(b) != "one\ntwo\n" {
		t.Errorf("segment after O_APPEND write = %q; want %q", b, "one\ntwo\n")
	}
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	afs, _ := newMount(t)
	for _, p := range []string{"/shm/a", "/mq/q", "/sem/s", "/shm", "/"} {
		var f afero.File
		var err error
		if p == "/" || p == "/shm" {
			f, err = afs.Open(p)
		} else {
			f, err = afs.Create(p)
		}
		if err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("%s: Close = %v", p, err)
		}
		if err := f.Close(); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s: second Close = %v; want fs.ErrClosed", p, err)
		}
		if _, err := f.Stat(); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s: Stat after Close = %v; want fs.ErrClosed", p, err)
		}
		if _, err := f.Read(make([]byte, 8192)); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s: Read after Close = %v; want fs.ErrClosed", p, err)
		}
		if _, err := f.Readdir(1); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s: Readdir after Close = %v; want fs.ErrClosed", p, err)
		}
	}
}

func TestQueuesAndSemaphoresRefuseFileOnlyCalls(t *testing.T) {
	afs, _ := newMount(t)
	for _, p := range []string{"/mq/q", "/sem/s"} {
		f := mustCreate(t, afs, p)
		if _, err := f.Seek(0, io.SeekStart); !errors.Is(err, syscall.ESPIPE) {
			t.Errorf("%s: Seek = %v; want ESPIPE", p, err)
		}
		if _, err := f.ReadAt(make([]byte, 1), 0); !errors.Is(err, syscall.ESPIPE) {
			t.Errorf("%s: ReadAt = %v; want ESPIPE", p, err)
		}
		if _, err := f.WriteAt([]byte{1}, 0); !errors.Is(err, syscall.ESPIPE) {
			t.Errorf("%s: WriteAt = %v; want ESPIPE", p, err)
		}
		if err := f.Truncate(0); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%s: Truncate = %v; want EINVAL", p, err)
		}
		if _, err := f.Readdir(-1); !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("%s: Readdir = %v; want ENOTDIR", p, err)
		}
		if _, err := f.Readdirnames(-1); !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("%s: Readdirnames = %v; want ENOTDIR", p, err)
		}
		if err := f.Sync(); err != nil {
			t.Errorf("%s: Sync = %v; want nil", p, err)
		}
		if n, err := f.WriteString("ab"); err != nil || n != 2 {
			t.Errorf("%s: WriteString = %d, %v; want 2, nil", p, n, err)
		}
	}
	q, _ := afs.OpenFile("/mq/q", os.O_RDONLY, 0)
	defer q.Close()
	b := make([]byte, 8192)
	if n, err := q.Read(b); err != nil || string(b[:n]) != "ab" {
		t.Errorf("queue after WriteString(%q): Read = %q, %v; want one message %q", "ab", b[:n], err, "ab")
	}
	s, _ := afs.OpenFile("/sem/s", os.O_RDONLY, 0)
	defer s.Close()
	if v, _ := s.(ipcfs.Sem).Value(); v != 2 {
		t.Errorf("semaphore after WriteString(%q): value %d; want 2", "ab", v)
	}
}

func TestDirectoryPaging(t *testing.T) {
	afs, _ := newMount(t)
	for _, n := range []string{"e", "a", "c", "b", "d"} {
		mustCreate(t, afs, "/shm/"+n)
	}
	d, err := afs.Open("/shm")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got []string
	for {
		names, err := d.Readdirnames(2)
		got = append(got, names...)
		if err == io.EOF {
			if len(names) != 0 {
				t.Errorf("Readdirnames returned %q with io.EOF; want none", names)
			}
			break
		}
		if err != nil || len(names) == 0 || len(names) > 2 {
			t.Fatalf("Readdirnames(2) = %q, %v", names, err)
		}
	}
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("paged names = %q; want a..e", got)
	}
	if infos, err := d.Readdir(-1); err != nil || len(infos) != 0 {
		t.Errorf("Readdir(-1) at the end = %d entries, %v; want 0, nil", len(infos), err)
	}
	if _, err := d.Seek(0, io.SeekStart); err != nil {
		t.Fatalf("Seek(0, SeekStart) on a directory = %v", err)
	}
	if infos, err := d.Readdir(-1); err != nil || len(infos) != 5 || infos[0].Name() != "a" {
		t.Errorf("Readdir(-1) after Seek(0) = %d entries, %v; want 5 from a", len(infos), err)
	}
	d.Seek(0, io.SeekStart)
	if entries, err := d.(fs.ReadDirFile).ReadDir(3); err != nil || len(entries) != 3 {
		t.Errorf("ReadDir(3) = %d entries, %v; want 3", len(entries), err)
	}
	if _, err := d.Read(make([]byte, 1)); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Read on a directory = %v; want EISDIR", err)
	}
}

func TestAferoWalk(t *testing.T) {
	afs, _ := newMount(t)
	for _, p := range []string{"/shm/a", "/mq/q", "/sem/s"} {
		mustCreate(t, afs, p)
	}
	var visited []string
	err := afero.Walk(afs, "/", func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		visited = append(visited, p)
		return nil
	})
	want := []string{"/", "/mq", "/mq/q", "/sem", "/sem/s", "/shm", "/shm/a"}
	if err != nil || !slices.Equal(visited, want) {
		t.Errorf("Walk visited %q, %v; want %q", visited, err, want)
	}
}

func TestReadFileWriteFile(t *testing.T) {
	afs, m := newMount(t)
	if err := afero.WriteFile(afs, "/shm/cfg", []byte("key=value"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := afero.ReadFile(afs, "shm/cfg"); err != nil || string(b) != "key=value" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	// WriteFile on a queue sends one message.
	if err := afero.WriteFile(afs, "/mq/jobs", []byte("job 1"), 0o600); err != nil {
		t.Fatal(err)
	}
	q, err := m.OpenMq("jobs", os.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	b := make([]byte, 8192)
	if a, _ := q.Attr(); a.CurMessages != 1 {
		t.Errorf("after WriteFile on a queue, %d messages; want 1", a.CurMessages)
	}
	if n, _, err := q.Receive(bg, b); err != nil || string(b[:n]) != "job 1" {
		t.Errorf("message = %q, %v; want %q", b[:n], err, "job 1")
	}
}

func TestTempFileRandomNames(t *testing.T) {
	afs, _ := newMount(t)
	for _, dir := range []string{"/shm", "/sem", "/mq"} {
		f1, err := afero.TempFile(afs, dir, "tmp-*.x")
		if err != nil {
			t.Fatalf("TempFile(%s) = %v", dir, err)
		}
		f2, err := afero.TempFile(afs, dir, "tmp-*.x")
		if err != nil {
			t.Fatalf("TempFile(%s) = %v", dir, err)
		}
		if f1.Name() == f2.Name() || filepath.Dir(f1.Name()) != dir {
			t.Errorf("TempFile names %q, %q; want two distinct names in %s", f1.Name(), f2.Name(), dir)
		}
		for _, f := range []afero.File{f1, f2} {
			if ok, _ := afero.Exists(afs, f.Name()); !ok {
				t.Errorf("Exists(%q) = false after TempFile", f.Name())
			}
			f.Close()
			if err := afs.Remove(f.Name()); err != nil {
				t.Errorf("Remove(f.Name() = %q) = %v", f.Name(), err)
			}
		}
	}
}

func TestExistsAndDirExists(t *testing.T) {
	afs, _ := newMount(t)
	mustCreate(t, afs, "/shm/a")
	for _, c := range []struct {
		path        string
		exists, dir bool
	}{
		{"/", true, true}, {"/shm", true, true}, {"/shm/a", true, false},
		{"/shm/missing", false, false}, {"/nope", false, false},
	} {
		if ok, err := afero.Exists(afs, c.path); ok != c.exists || err != nil {
			t.Errorf("Exists(%q) = %v, %v; want %v", c.path, ok, err, c.exists)
		}
		if ok, _ := afero.DirExists(afs, c.path); ok != c.dir {
			t.Errorf("DirExists(%q) = %v; want %v", c.path, ok, c.dir)
		}
	}
}

func TestReadOnlyFs(t *testing.T) {
	afs, _ := newMount(t)
	afero.WriteFile(afs, "/shm/a", []byte("data"), 0o600)
	afero.WriteFile(afs, "/mq/q", []byte("message"), 0o600)
	ro := afero.NewReadOnlyFs(afs)
	if _, err := ro.Create("/shm/b"); err == nil {
		t.Error("Create through NewReadOnlyFs succeeded")
	}
	if b, err := afero.ReadFile(ro, "/shm/a"); err != nil || string(b) != "data" {
		t.Errorf("ReadFile through NewReadOnlyFs = %q, %v", b, err)
	}
	// Open (what afero.ReadFile uses) only looks, through any wrapper.
	if b, err := afero.ReadFile(ro, "/mq/q"); err != nil || !strings.Contains(string(b), "current_messages 1\n") {
		t.Errorf("ReadFile(/mq/q) through NewReadOnlyFs = %q, %v; want the status text", b, err)
	}
	// Documented: a wrapper that only filters calls passes OpenFile
	// through, and OpenFile is for I/O: reading receives, even read-only.
	f, err := ro.OpenFile("/mq/q", os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8192)
	if n, err := f.Read(b); err != nil || string(b[:n]) != "message" {
		t.Errorf("Read through NewReadOnlyFs = %q, %v", b[:n], err)
	}
	f.Close()
	if fi, _ := afs.Stat("/mq/q"); fi.Sys().(ipcfs.MqInfo).Bytes != 0 {
		t.Errorf("queue holds %d bytes after a read-only OpenFile read; want 0 (consumed)", fi.Sys().(ipcfs.MqInfo).Bytes)
	}
}

func TestIOFSPassesTestFS(t *testing.T) {
	afs, _ := newMount(t)
	afero.WriteFile(afs, "/shm/a", []byte("alpha"), 0o600)
	afero.WriteFile(afs, "/shm/b", nil, 0o600)
	afero.WriteFile(afs, "/shm/c", []byte("gamma\x00"), 0o600)
	if err := fstest.TestFS(afero.NewIOFS(afs), "shm/a", "shm/b", "shm/c", "mq", "sem"); err != nil {
		t.Error(err)
	}
}

func TestNilNamespaceFailsInsteadOfPanicking(t *testing.T) {
	for _, afs := range []afero.Fs{mount.New(nil), mount.At(nil, "/ipc", nil)} {
		prefix := ""
		if afs.Name() != "ipcfs" {
			prefix = "/ipc"
		}
		if _, err := afs.Create(prefix + "/shm/x"); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: Create = %v; want fs.ErrInvalid", afs.Name(), err)
		}
		if _, err := afs.Stat(prefix + "/shm/x"); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: Stat = %v; want fs.ErrInvalid", afs.Name(), err)
		}
		if _, err := afs.Open(prefix + "/shm"); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: Open(dir) = %v; want fs.ErrInvalid", afs.Name(), err)
		}
	}
}
