//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

var (
	_ fs.FS        = (*FS)(nil)
	_ fs.ReadDirFS = (*FS)(nil)
	_ fs.StatFS    = (*FS)(nil)
	_ fs.SubFS     = (*FS)(nil)
	_ Namespace    = (*FS)(nil)
)

// shmNsCreate creates a segment holding content through the namespace and
// returns its namespace path ("shm/NAME"); the test's cleanup removes it.
func shmNsCreate(t *testing.T, ns *FS, content string) string {
	t.Helper()
	p := "shm/" + uniqueName(t)[1:]
	f, err := ns.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatalf("OpenFile(%q): %v", p, err)
	}
	t.Cleanup(func() {
		if err := ns.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Remove(%q): %v", p, err)
		}
	})
	defer f.Close()
	if _, err := io.WriteString(f, content); err != nil {
		t.Fatalf("write %q: %v", p, err)
	}
	return p
}

func TestFSReadDirRootListsTheThreeKinds(t *testing.T) {
	entries, err := New().ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("%s is not a directory", e.Name())
		}
		got = append(got, e.Name())
	}
	if !slices.Equal(got, []string{"mq", "sem", "shm"}) {
		t.Errorf("ReadDir(\".\") = %v; want [mq sem shm]", got)
	}
}

func TestFSOpenFileCreatesSegmentsThatOpenAndStatSee(t *testing.T) {
	ns := New()
	p := shmNsCreate(t, ns, "through the namespace")
	f, err := ns.Open(p)
	if err != nil {
		t.Fatalf("Open(%q): %v", p, err)
	}
	defer f.Close()
	shm, ok := f.(*ShmFile)
	if !ok {
		t.Fatalf("Open(%q) = %T; want *ShmFile", p, f)
	}
	b, err := io.ReadAll(shm)
	if err != nil || string(b) != "through the namespace" {
		t.Errorf("ReadAll = %q, %v", b, err)
	}
	if _, err := shm.Write([]byte("x")); !errors.Is(err, syscall.EBADF) {
		t.Errorf("Write on a segment from Open = %v; want EBADF (Open is read-only)", err)
	}
	fi, err := ns.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Name() != strings.TrimPrefix(p, "shm/") || fi.Size() != 21 || fi.Mode() != 0o600 || fi.IsDir() {
		t.Errorf("Stat(%q) = %s %d %v; want %s 21 -rw-------", p, fi.Name(), fi.Size(), fi.Mode(), strings.TrimPrefix(p, "shm/"))
	}
	if _, ok := fi.Sys().(*syscall.Stat_t); !ok {
		t.Errorf("Stat(%q).Sys() = %T; want *syscall.Stat_t", p, fi.Sys())
	}
	if name := shm.Name(); name != p {
		t.Errorf("Name() = %q; want %q (the path it was opened by, as os.File's Name)", name, p)
	}
	if _, err := ns.OpenShm(fi.Name(), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 0); !errors.Is(err, fs.ErrExist) {
		t.Errorf("OpenShm(existing, O_EXCL) through the namespace = %v; want fs.ErrExist", err)
	}
}

func TestFSReadDirShmListsOnlySegments(t *testing.T) {
	ns := New()
	seg := shmNsCreate(t, ns, "listed")
	// Things in /dev/shm that are not segments: a glibc semaphore file, a
	// directory and a symlink.
	base := uniqueName(t)[1:]
	sem := "/dev/shm/sem." + base + "-sem"
	dir := "/dev/shm/" + base + "-dir"
	link := "/dev/shm/" + base + "-link"
	if err := os.WriteFile(sem, make([]byte, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(sem) })
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	if err := os.Symlink(shmHostPath("/"+strings.TrimPrefix(seg, "shm/")), link); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(link) })

	entries, err := ns.ReadDir("shm")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if strings.HasPrefix(e.Name(), "sem.") {
			t.Errorf("shm/ lists glibc semaphore file %q", e.Name())
		}
		if !e.Type().IsRegular() {
			t.Errorf("shm/ lists %q of type %v; want only regular files", e.Name(), e.Type())
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("ReadDir(\"shm\") not sorted: %v", names)
	}
	want := strings.TrimPrefix(seg, "shm/")
	if !slices.Contains(names, want) {
		t.Errorf("ReadDir(\"shm\") = %v; missing %q", names, want)
	}
	for _, bad := range []string{base + "-dir", base + "-link", base + "-sem"} {
		if slices.Contains(names, bad) {
			t.Errorf("ReadDir(\"shm\") lists %q", bad)
		}
	}
	for _, p := range []string{"shm/" + base + "-dir", "shm/" + base + "-link"} {
		if _, err := ns.Stat(p); err == nil {
			t.Errorf("Stat(%q) succeeded on a non-segment", p)
		}
	}
}

func TestFSRemoveUnlinksSegments(t *testing.T) {
	ns := New()
	p := shmNsCreate(t, ns, "doomed")
	f, err := ns.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ns.Remove(p); err != nil {
		t.Fatalf("Remove(%q): %v", p, err)
	}
	if _, err := ns.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after Remove = %v; want fs.ErrNotExist", err)
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "doomed" {
		t.Errorf("open handle after Remove reads %q, %v", b, err)
	}
	err = ns.Remove(p)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Remove = %v; want fs.ErrNotExist", err)
	}
	shmCheckPathError(t, err, "remove", p)
	for _, dir := range []string{".", "shm"} {
		if err := ns.Remove(dir); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Remove(%q) = %v; want fs.ErrPermission", dir, err)
		}
	}
}

func TestFSCreateTempMakesNewUniqueSegments(t *testing.T) {
	ns := New()
	prefix := uniqueName(t)[1:] + "-"
	seen := map[string]bool{}
	for _, pattern := range []string{prefix + "*", prefix + "*.dat", prefix} {
		f, err := ns.CreateTemp("shm", pattern)
		if err != nil {
			t.Fatalf("CreateTemp(shm, %q): %v", pattern, err)
		}
		name := f.Name()
		t.Cleanup(func() {
			f.Close()
			if err := ns.Remove(name); err != nil {
				t.Errorf("Remove(%q) of CreateTemp's Name(): %v", name, err)
			}
		})
		if !strings.HasPrefix(name, "shm/"+prefix) || len(name) <= len(prefix)+4 || seen[name] {
			t.Errorf("CreateTemp(shm, %q) named %q", pattern, name)
		}
		if strings.HasSuffix(pattern, ".dat") && !strings.HasSuffix(name, ".dat") {
			t.Errorf("CreateTemp(shm, %q) named %q; want the suffix kept", pattern, name)
		}
		seen[name] = true
		shm, ok := f.(*ShmFile)
		if !ok {
			t.Fatalf("CreateTemp(shm) = %T; want *ShmFile", f)
		}
		fi, err := shm.Stat()
		if err != nil || fi.Size() != 0 || fi.Mode() != 0o600 {
			t.Errorf("new temp segment: %v, %v; want size 0 mode 0600", fi, err)
		}
		if _, err := shm.Write([]byte("writable")); err != nil {
			t.Errorf("temp segment not writable: %v", err)
		}
	}
	for _, c := range []struct{ dir, pattern string }{{"shm", "a/b*"}, {"shm", "a\x00*"}, {"shm", "sem.*"}} {
		if _, err := ns.CreateTemp(c.dir, c.pattern); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("CreateTemp(%q, %q) = %v; want fs.ErrInvalid", c.dir, c.pattern, err)
		}
	}
	if _, err := ns.CreateTemp("nope", "x*"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CreateTemp(nope) = %v; want fs.ErrNotExist", err)
	}
}

func TestFSRejectsInvalidPaths(t *testing.T) {
	ns := New()
	cases := []struct {
		path string
		want error
	}{
		{"shm/..", fs.ErrInvalid},
		{"shm/.", fs.ErrInvalid},
		{"/shm/x", fs.ErrInvalid},
		{"shm/a\x00b", fs.ErrInvalid},
		{"shm/" + strings.Repeat("x", 256), fs.ErrInvalid},
		{"shm/sem.x", fs.ErrInvalid},
		{"shm/a/b", fs.ErrNotExist},
		{"nope/x", fs.ErrNotExist},
		{"nope", fs.ErrNotExist},
	}
	for _, c := range cases {
		calls := map[string]func() error{
			"Open":     func() error { _, err := ns.Open(c.path); return err },
			"OpenFile": func() error { _, err := ns.OpenFile(c.path, os.O_RDWR|os.O_CREATE, 0o600); return err },
			"Stat":     func() error { _, err := ns.Stat(c.path); return err },
			"Remove":   func() error { return ns.Remove(c.path) },
		}
		for desc, call := range calls {
			err := call()
			if !errors.Is(err, c.want) {
				t.Errorf("%s(%q) = %v; want %v", desc, c.path, err, c.want)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != c.path {
				t.Errorf("%s(%q) error %v is not a PathError for the path", desc, c.path, err)
			}
		}
	}
	if _, err := os.Lstat("/dev/shm/x"); err == nil {
		t.Log("note: /dev/shm/x exists on this host (not created by this test)")
	}
}

func TestFSDirectoriesCannotBeWritten(t *testing.T) {
	ns := New()
	for _, flag := range []int{os.O_RDWR, os.O_WRONLY, os.O_CREATE, os.O_TRUNC} {
		if _, err := ns.OpenFile("shm", flag, 0o600); !errors.Is(err, syscall.EISDIR) {
			t.Errorf("OpenFile(shm, %#o) = %v; want EISDIR", flag, err)
		}
	}
	d, err := ns.Open("shm")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Read(make([]byte, 1)); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Read on shm directory = %v; want EISDIR", err)
	}
	fi, err := d.Stat()
	if err != nil || !fi.IsDir() || fi.Name() != "shm" {
		t.Errorf("Stat of open shm directory = %v, %v", fi, err)
	}
}

func TestFSSubShmIsAFileSystemOfSegments(t *testing.T) {
	ns := New()
	p := shmNsCreate(t, ns, "in the sub")
	name := strings.TrimPrefix(p, "shm/")
	sub, err := ns.Sub("shm")
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(sub, name)
	if err != nil || string(b) != "in the sub" {
		t.Errorf("ReadFile(sub, %q) = %q, %v", name, b, err)
	}
	if fi, err := fs.Stat(sub, "."); err != nil || !fi.IsDir() || fi.Name() != "." {
		t.Errorf("Stat(sub, \".\") = %v, %v; want the directory named \".\"", fi, err)
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil || !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == name }) {
		t.Errorf("ReadDir(sub, \".\") = %d entries, %v; missing %q", len(entries), err, name)
	}
	_, err = fs.Stat(sub, "missing-"+name)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Path != "missing-"+name {
		t.Errorf("Stat(sub, missing) = %v; want fs.ErrNotExist with the sub path", err)
	}
	if _, err := ns.Sub(p); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("Sub(%q) = %v; want ENOTDIR", p, err)
	}
	if _, err := ns.Sub("nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Sub(nope) = %v; want fs.ErrNotExist", err)
	}
	if s, err := ns.Sub("."); err != nil || s != fs.FS(ns) {
		t.Errorf("Sub(.) = %v, %v; want the namespace itself", s, err)
	}
}

func TestFSChmodChownChtimesChangeSegments(t *testing.T) {
	ns := New()
	p := shmNsCreate(t, ns, "attrs")
	if err := ns.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := ns.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := ns.Chown(p, os.Getuid(), os.Getgid()); err != nil {
		t.Fatal(err)
	}
	fi, err := ns.Stat(p)
	if err != nil || fi.Mode() != 0o640 || !fi.ModTime().Equal(mtime) {
		t.Errorf("after Chmod/Chtimes: %v %v, %v; want -rw-r----- %v", fi.Mode(), fi.ModTime(), err, mtime)
	}
	if err := ns.Chmod("shm/missing-"+uniqueName(t)[1:], 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Chmod(missing) = %v; want fs.ErrNotExist", err)
	}
}

func TestFSShmPassesFSTest(t *testing.T) {
	ns := New()
	contents := []string{"", "one line\n", strings.Repeat("several pages of bytes ", 1000)}
	var names []string
	for _, c := range contents {
		names = append(names, strings.TrimPrefix(shmNsCreate(t, ns, c), "shm/"))
	}
	sub, err := ns.Sub("shm")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(contents, string(b)) {
			t.Fatalf("ReadFile(%q) = %d bytes of unexpected content", n, len(b))
		}
	}
	// Other processes share /dev/shm: their segments come, go and change
	// while fstest lists the directory several times, reads every file twice
	// and compares. It checks this test's segments only.
	if err := fstest.TestFS(ownedOnly{sub, names}, names...); err != nil {
		t.Fatal(err)
	}
}

// ownedOnly is fsys with its root directory listing restricted to names.
type ownedOnly struct {
	fsys  fs.FS
	names []string
}

func (o ownedOnly) Open(name string) (fs.File, error) {
	f, err := o.fsys.Open(name)
	if err != nil || name != "." {
		return f, err
	}
	d, ok := f.(fs.ReadDirFile)
	if !ok {
		return f, nil
	}
	return &ownedDir{ReadDirFile: d, names: o.names}, nil
}

// ownedDir is the root directory of an ownedOnly: it reads the whole
// listing once, keeps the owned names and hands them out as ReadDir does.
type ownedDir struct {
	fs.ReadDirFile
	names   []string
	loaded  bool
	pending []fs.DirEntry
}

func (d *ownedDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.loaded {
		all, err := d.ReadDirFile.ReadDir(-1)
		if err != nil {
			return nil, err
		}
		d.pending = slices.DeleteFunc(all, func(e fs.DirEntry) bool { return !slices.Contains(d.names, e.Name()) })
		d.loaded = true
	}
	if n <= 0 {
		out := append([]fs.DirEntry{}, d.pending...)
		d.pending = nil
		return out, nil
	}
	if len(d.pending) == 0 {
		return nil, io.EOF
	}
	k := min(n, len(d.pending))
	out := d.pending[:k:k]
	d.pending = d.pending[k:]
	return out, nil
}

// TestCreateTempWithNilNamespaceIsErrInvalid checks the exported helper
// for Namespace implementations refuses a nil namespace instead of
// panicking.
func TestCreateTempWithNilNamespaceIsErrInvalid(t *testing.T) {
	f, err := CreateTemp(nil, "shm", "x*")
	if f != nil || !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("CreateTemp(nil, ...) = %v, %v; want nil and an error matching fs.ErrInvalid", f, err)
	}
}

// TestFSErrorsNameTheCallersPath checks that namespace errors carry the
// verb the caller used and the path exactly as the caller gave it, also
// through Sub (where paths are relative to the sub-tree, as fs.Sub makes
// them, even for names that start like the directory).
func TestFSErrorsNameTheCallersPath(t *testing.T) {
	ns := New()
	missing := uniqueName(t)[1:]
	sub, err := ns.Sub("shm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		call, op, path string
		err            error
	}{
		{"Open(shm/missing)", "open", "shm/" + missing, func() error { _, err := ns.Open("shm/" + missing); return err }()},
		{"Open(mq/missing)", "open", "mq/" + missing, func() error { _, err := ns.Open("mq/" + missing); return err }()},
		{"Open(sem/missing)", "open", "sem/" + missing, func() error { _, err := ns.Open("sem/" + missing); return err }()},
		{"Sub(shm/missing)", "sub", "shm/" + missing, func() error { _, err := ns.Sub("shm/" + missing); return err }()},
		{"Sub(shm).Open(missing)", "open", missing, func() error { _, err := sub.Open(missing); return err }()},
		{"Sub(shm).Open(shm-missing)", "open", "shm" + missing, func() error { _, err := sub.Open("shm" + missing); return err }()},
		{"Sub(shm).Stat(shm-missing)", "stat", "shm" + missing, func() error { _, err := fs.Stat(sub, "shm"+missing); return err }()},
	} {
		var pe *fs.PathError
		if !errors.As(c.err, &pe) || pe.Op != c.op || pe.Path != c.path || !errors.Is(c.err, fs.ErrNotExist) {
			t.Errorf("%s = %#v; want *fs.PathError{Op: %q, Path: %q} matching fs.ErrNotExist", c.call, c.err, c.op, c.path)
		}
	}
}
