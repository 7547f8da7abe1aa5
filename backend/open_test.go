package backend

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// statusSys is a Sys value with a status text, as ipcfs.MqInfo is.
type statusSys string

func (s statusSys) Status() string { return string(s) }

// fakeFS is a namespace with one object of each kind, for Open.
type fakeFS struct{ sys any }

func (f fakeFS) Open(string) (fs.File, error) { return nil, errors.New("not used") }
func (f fakeFS) ReadDir(p string) ([]fs.DirEntry, error) {
	l, root, err := kind.ParseDir(p)
	if err != nil || l.Kind == nil {
		return root, err
	}
	return nil, nil
}
func (f fakeFS) Stat(p string) (fs.FileInfo, error) {
	l, dir, err := kind.ParseStat(p)
	if err != nil || dir != nil {
		return dir, err
	}
	if l.Name != "x" {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: syscall.ENOENT}
	}
	return NewFileInfo("x", 5, 0o600, time.Time{}, f.sys), nil
}

func TestOpenLooksAtQueuesAndSemaphores(t *testing.T) {
	readOnly := func(p string) (fs.File, error) {
		return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("opened for reading")}
	}
	fsys := fakeFS{sys: statusSys("value 3\n")}
	for _, p := range []string{"mq/x", "sem/x"} {
		f, err := Open(fsys, p, readOnly)
		if err != nil {
			t.Fatalf("Open(%q) = %v", p, err)
		}
		sf, ok := f.(*StatusFile)
		if !ok || sf.Name() != p {
			t.Fatalf("Open(%q) = %T named %q; want a *StatusFile named %q", p, f, sf.Name(), p)
		}
		if err := iotest.TestReader(sf, []byte("value 3\n")); err != nil {
			t.Errorf("Open(%q): %v", p, err)
		}
		f.Close()
	}
	// A segment opens through the namespace's read-only open.
	if _, err := Open(fsys, "shm/x", readOnly); err == nil || !strings.Contains(err.Error(), "opened for reading") {
		t.Errorf("Open(shm/x) = %v; want the read-only open's result", err)
	}
	if d, err := Open(fsys, "mq", readOnly); err != nil {
		t.Errorf("Open(mq) = %v", err)
	} else if _, ok := d.(*DirFile); !ok {
		t.Errorf("Open(mq) = %T; want a *DirFile", d)
	}
	if _, err := Open(fsys, "mq/missing", readOnly); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(mq/missing) = %v; want fs.ErrNotExist", err)
	}
	if _, err := Open(fakeFS{sys: 42}, "sem/x", readOnly); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Open of an object whose Sys has no status = %v; want errors.ErrUnsupported", err)
	}
}

func TestStatusFileIsReadOnly(t *testing.T) {
	info := NewFileInfo("q", 8, 0o600, time.Time{}, statusSys("value 1\n"))
	f := NewStatusFile("sem/q", info, "value 1\n")
	if _, err := f.Write([]byte("x")); !errors.Is(err, fs.ErrPermission) || !errors.Is(err, sys.EBADF) {
		t.Errorf("Write = %v; want fs.ErrPermission and EBADF", err)
	}
	if fi, err := f.Stat(); err != nil || fi != info {
		t.Errorf("Stat = %v, %v; want the FileInfo it was made with", fi, err)
	}
	if _, err := f.ReadAt(make([]byte, 1), -1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadAt(-1) = %v; want fs.ErrInvalid", err)
	}
	if _, err := f.Seek(-1, io.SeekStart); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Seek(-1) = %v; want fs.ErrInvalid", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		f.Close(),
		func() error { _, err := f.Read(make([]byte, 1)); return err }(),
		func() error { _, err := f.Stat(); return err }(),
	} {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("after Close: %v; want fs.ErrClosed", err)
		}
	}
	var nilFile *StatusFile
	if _, err := nilFile.Read(nil); !errors.Is(err, fs.ErrInvalid) || nilFile.Name() != "" {
		t.Errorf("nil *StatusFile: Read = %v, Name %q; want fs.ErrInvalid, \"\"", err, nilFile.Name())
	}
}

func TestCreateTempRetriesTakenNames(t *testing.T) {
	var tried []string
	got, err := CreateTemp("mq", "job-*.q", func(p string) (string, error) {
		tried = append(tried, p)
		if len(tried) < 3 {
			return "", &fs.PathError{Op: "open", Path: p, Err: syscall.EEXIST}
		}
		return p, nil
	})
	if err != nil || len(tried) != 3 || got != tried[2] {
		t.Fatalf("CreateTemp = %q, %v after %q; want the third name", got, err, tried)
	}
	for _, p := range tried {
		if !strings.HasPrefix(p, "mq/job-") || !strings.HasSuffix(p, ".q") || len(p) != len("mq/job-.q")+12 {
			t.Errorf("tried %q; want mq/job- + 12 random characters + .q", p)
		}
	}
	never := func(p string) (string, error) { t.Errorf("create called for %q", p); return "", nil }
	for _, c := range []struct {
		dir, pattern string
		want         error
	}{{"nope", "x*", fs.ErrNotExist}, {"shm", "a/b*", kind.ErrSlash}, {"shm", "a\x00*", kind.ErrNUL}} {
		if _, err := CreateTemp(c.dir, c.pattern, never); !errors.Is(err, c.want) {
			t.Errorf("CreateTemp(%q, %q) = %v; want %v", c.dir, c.pattern, err, c.want)
		}
	}
	calls := 0
	_, err = CreateTemp("sem", "x", func(p string) (int, error) {
		calls++
		return 0, &fs.PathError{Op: "open", Path: p, Err: syscall.EEXIST}
	})
	if !errors.Is(err, fs.ErrExist) || calls != 100 {
		t.Errorf("CreateTemp when every name is taken = %v after %d tries; want fs.ErrExist after 100", err, calls)
	}
}
