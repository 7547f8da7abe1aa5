//go:build !plan9

package mount

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/afero"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
)

// At mounts ns at dir inside base: paths under dir (dir/shm/NAME,
// dir/mq/NAME, dir/sem/NAME) reach the namespace, as New(ns) would see
// them; every other path goes to base. The result is one rooted tree:
// every name is cleaned (path.Clean) and taken from the root, with or
// without its leading "/" ("run/app/mq/jobs" is "/run/app/mq/jobs"), and
// base receives that absolute form, so afero's helpers (which pass both
// forms) and afero.NewIOFS (which passes relative ones) agree. With an
// afero.OsFs base, use absolute paths; a relative one is not taken from the
// working directory.
//
// dir and its ancestors need not exist in base: Stat and Open of them
// succeed as directories, and listing an ancestor shows the next path
// element towards dir (listing dir's parent shows the mount point), merged
// with what base holds there. Remove of an ancestor fails with EBUSY, as
// removing a directory holding a mount point does; RemoveAll of an ancestor removes
// base's files there and leaves the mount. Rename across the mount point
// fails with an error wrapping errors.ErrUnsupported. Name returns
// base.Name() + "+ipcfs". A nil base is an empty read-only tree; a nil ns
// makes every call under dir fail with fs.ErrInvalid.
func At(base afero.Fs, dir string, ns ipcfs.Namespace) afero.Fs {
	if base == nil {
		base = afero.NewReadOnlyFs(afero.NewMemMapFs())
	}
	return &atFs{base: base, dir: cleanAbs(dir), ipc: &mountFs{ns: orNil(ns)}}
}

// atFs is a namespace mounted inside another afero.Fs.
type atFs struct {
	base afero.Fs
	dir  string // clean, absolute
	ipc  *mountFs
}

var _ afero.Fs = (*atFs)(nil)

func cleanAbs(name string) string { return path.Clean("/" + name) }

// where a path lies relative to the mount.
type where int

const (
	inBase     where = iota // not related to the mount
	inMount                 // dir or below
	inAncestor              // a proper ancestor of dir
)

// route tells where name lies and returns its clean absolute form p; for
// inMount rel is the namespace path, for inAncestor the next path element
// towards dir.
func (a *atFs) route(name string) (w where, rel, p string) {
	p = cleanAbs(name)
	switch {
	case a.dir == "/":
		return inMount, nsPath(p), p
	case p == a.dir:
		return inMount, ".", p
	case strings.HasPrefix(p, a.dir+"/"):
		return inMount, nsPath(p[len(a.dir):]), p
	case p == "/":
		child, _, _ := strings.Cut(a.dir[1:], "/")
		return inAncestor, child, p
	case strings.HasPrefix(a.dir, p+"/"):
		child, _, _ := strings.Cut(a.dir[len(p)+1:], "/")
		return inAncestor, child, p
	}
	return inBase, "", p
}

// Name returns base.Name() + "+ipcfs".
func (a *atFs) Name() string { return a.base.Name() + "+ipcfs" }

// Create is OpenFile(name, O_RDWR|O_CREATE|O_TRUNC, 0666).
func (a *atFs) Create(name string) (afero.File, error) {
	return a.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open is OpenFile(name, O_RDONLY, 0) outside the mount; under dir it only
// looks, as New's Open does (a queue or a semaphore opens as its status
// text, nothing is received or acquired).
func (a *atFs) Open(name string) (afero.File, error) {
	return a.openFile(name, os.O_RDONLY, 0, true)
}

// OpenFile opens name in the namespace (under dir, see New's OpenFile: for
// I/O) or in base. An ancestor of dir opens as a directory whose listing
// includes the way to dir.
func (a *atFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	return a.openFile(name, flag, perm, false)
}

// openFile is OpenFile, or with look Open.
func (a *atFs) openFile(name string, flag int, perm os.FileMode, look bool) (afero.File, error) {
	w, rel, p := a.route(name)
	switch w {
	case inMount:
		var f afero.File
		var err error
		if look {
			f, err = a.ipc.open(name, rel)
		} else {
			f, err = a.ipc.openFile(name, rel, flag, perm)
		}
		if d, ok := f.(*dirFile); ok && rel == "." {
			d.info = mountInfo(a.dir)
		}
		return f, err
	case inAncestor:
		f, err := a.base.OpenFile(p, flag, perm)
		if err != nil {
			if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 || !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			f = nil // exists only as the way to the mount
		} else if fi, err := f.Stat(); err != nil || !fi.IsDir() {
			return f, err
		}
		return &ancestorDir{name: name, base: f, child: rel, childInfo: a.childInfo(p, rel)}, nil
	}
	return a.base.OpenFile(p, flag, perm)
}

// mountInfo is the FileInfo of the mount point dir.
func mountInfo(dir string) fs.FileInfo {
	return backend.NewFileInfo(path.Base(dir), 0, fs.ModeDir|0o555, time.Time{}, nil)
}

// syntheticDir is the FileInfo of an ancestor of dir that base lacks.
func syntheticDir(name string) fs.FileInfo {
	return backend.NewFileInfo(path.Base(cleanAbs(name)), 0, fs.ModeDir|0o755, time.Time{}, nil)
}

// Stat returns the FileInfo of name; the mount point is a directory named
// after dir's last element, and ancestors base lacks are directories.
func (a *atFs) Stat(name string) (os.FileInfo, error) {
	w, rel, p := a.route(name)
	switch w {
	case inMount:
		if rel == "." {
			return mountInfo(a.dir), nil
		}
		return a.ipc.stat(name, rel)
	case inAncestor:
		fi, err := a.base.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return syntheticDir(p), nil
		}
		return fi, err
	}
	return a.base.Stat(p)
}

// childInfo returns what Stat gives for the next element towards the mount
// inside the ancestor p, for the ancestor's listing.
func (a *atFs) childInfo(p, child string) fs.FileInfo {
	fi, err := a.Stat(path.Join(p, child))
	if err != nil {
		return syntheticDir(child)
	}
	return fi
}

// Mkdir: under dir, see New's Mkdir; elsewhere base.Mkdir.
func (a *atFs) Mkdir(name string, perm os.FileMode) error {
	w, rel, p := a.route(name)
	if w == inMount {
		return a.ipc.mkdir("mkdir", name, rel)
	}
	return a.base.Mkdir(p, perm)
}

// MkdirAll: under dir, see New's MkdirAll; elsewhere base.MkdirAll.
func (a *atFs) MkdirAll(name string, perm os.FileMode) error {
	w, rel, p := a.route(name)
	if w == inMount {
		return a.ipc.mkdir("mkdir", name, rel)
	}
	return a.base.MkdirAll(p, perm)
}

// Remove unlinks an object under dir or removes name from base; dir itself
// gives EPERM (as the namespace's root does) and its ancestors EBUSY (they
// hold a mount point).
func (a *atFs) Remove(name string) error {
	switch w, rel, p := a.route(name); w {
	case inAncestor:
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.EBUSY}
	case inMount:
		return pathErr("remove", name, a.ipc.ns.Remove(rel))
	default:
		return a.base.Remove(p)
	}
}

// RemoveAll: under dir, see New's RemoveAll (dir itself gives EPERM); for an ancestor of dir, base.RemoveAll (the mount stays);
// elsewhere base.RemoveAll.
func (a *atFs) RemoveAll(name string) error {
	w, rel, p := a.route(name)
	if w == inMount {
		return a.ipc.removeAll(name, rel)
	}
	return a.base.RemoveAll(p)
}

// Rename renames within base; anything touching the mount point, its
// ancestors or the objects under it fails with an error wrapping
// errors.ErrUnsupported.
func (a *atFs) Rename(oldname, newname string) error {
	w1, _, p1 := a.route(oldname)
	w2, _, p2 := a.route(newname)
	if w1 != inBase || w2 != inBase {
		return &fs.PathError{Op: "rename", Path: oldname, Err: errors.ErrUnsupported}
	}
	return a.base.Rename(p1, p2)
}

// Chmod acts on the object under dir, or on base.
func (a *atFs) Chmod(name string, mode os.FileMode) error {
	w, rel, p := a.route(name)
	if w == inMount {
		return pathErr("chmod", name, a.ipc.ns.Chmod(rel, mode))
	}
	return a.base.Chmod(p, mode)
}

// Chown acts on the object under dir, or on base.
func (a *atFs) Chown(name string, uid, gid int) error {
	w, rel, p := a.route(name)
	if w == inMount {
		return pathErr("chown", name, a.ipc.ns.Chown(rel, uid, gid))
	}
	return a.base.Chown(p, uid, gid)
}

// Chtimes acts on the object under dir, or on base.
func (a *atFs) Chtimes(name string, atime, mtime time.Time) error {
	w, rel, p := a.route(name)
	if w == inMount {
		return pathErr("chtimes", name, a.ipc.ns.Chtimes(rel, atime, mtime))
	}
	return a.base.Chtimes(p, atime, mtime)
}

// ancestorDir is an open ancestor of the mount point: base's directory (or
// nothing, when base lacks it) plus the next element towards the mount.
type ancestorDir struct {
	name      string
	base      afero.File // nil when base lacks the directory
	child     string
	childInfo fs.FileInfo

	mu     sync.Mutex
	loaded bool
	infos  []os.FileInfo
	off    int
	closed bool
}

func (d *ancestorDir) checkValid(op string) error {
	if d.closed {
		return &fs.PathError{Op: op, Path: d.name, Err: fs.ErrClosed}
	}
	return nil
}

// load reads base's listing once and adds the child. d.mu must be held.
func (d *ancestorDir) load() error {
	if d.loaded {
		return nil
	}
	var infos []os.FileInfo
	if d.base != nil {
		var err error
		infos, err = d.base.Readdir(-1)
		if err != nil {
			return err
		}
	}
	infos = slices.DeleteFunc(infos, func(fi os.FileInfo) bool { return fi.Name() == d.child })
	infos = append(infos, d.childInfo)
	slices.SortFunc(infos, func(a, b os.FileInfo) int { return strings.Compare(a.Name(), b.Name()) })
	d.infos, d.loaded = infos, true
	return nil
}

// Readdir lists base's entries and the way to the mount, sorted, paging
// as os.File.Readdir does.
func (d *ancestorDir) Readdir(n int) ([]os.FileInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkValid("readdir"); err != nil {
		return nil, err
	}
	if err := d.load(); err != nil {
		return nil, err
	}
	return backend.Page(d.infos, &d.off, n)
}

// Readdirnames is Readdir's names.
func (d *ancestorDir) Readdirnames(n int) ([]string, error) {
	infos, err := d.Readdir(n)
	names := make([]string, len(infos))
	for i, fi := range infos {
		names[i] = fi.Name()
	}
	return names, err
}

// ReadDir is Readdir as fs.DirEntry values.
func (d *ancestorDir) ReadDir(n int) ([]fs.DirEntry, error) {
	infos, err := d.Readdir(n)
	entries := make([]fs.DirEntry, len(infos))
	for i, fi := range infos {
		entries[i] = fs.FileInfoToDirEntry(fi)
	}
	return entries, err
}

// Name returns the path the directory was opened with.
func (d *ancestorDir) Name() string { return d.name }

// Stat returns base's FileInfo, or a synthesized directory.
func (d *ancestorDir) Stat() (os.FileInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkValid("stat"); err != nil {
		return nil, err
	}
	if d.base != nil {
		return d.base.Stat()
	}
	return syntheticDir(d.name), nil
}

func (d *ancestorDir) isDir(op string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkValid(op); err != nil {
		return err
	}
	return &fs.PathError{Op: op, Path: d.name, Err: syscall.EISDIR}
}

// Read fails with EISDIR.
func (d *ancestorDir) Read([]byte) (int, error) { return 0, d.isDir("read") }

// ReadAt fails with EISDIR.
func (d *ancestorDir) ReadAt([]byte, int64) (int, error) { return 0, d.isDir("read") }

// Write fails with EISDIR.
func (d *ancestorDir) Write([]byte) (int, error) { return 0, d.isDir("write") }

// WriteAt fails with EISDIR.
func (d *ancestorDir) WriteAt([]byte, int64) (int, error) { return 0, d.isDir("write") }

// WriteString fails with EISDIR.
func (d *ancestorDir) WriteString(string) (int, error) { return 0, d.isDir("write") }

// Truncate fails with EISDIR.
func (d *ancestorDir) Truncate(int64) error { return d.isDir("truncate") }

// Seek(0, io.SeekStart) starts the listing over; other seeks fail with
// EINVAL.
func (d *ancestorDir) Seek(offset int64, whence int) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkValid("seek"); err != nil {
		return 0, err
	}
	if offset != 0 || whence != io.SeekStart {
		return 0, &fs.PathError{Op: "seek", Path: d.name, Err: syscall.EINVAL}
	}
	if d.base != nil {
		if _, err := d.base.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
	}
	d.loaded, d.infos, d.off = false, nil, 0
	return 0, nil
}

// Sync does nothing.
func (d *ancestorDir) Sync() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.checkValid("sync")
}

// Close closes the directory (and base's); a second Close gives
// fs.ErrClosed.
func (d *ancestorDir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkValid("close"); err != nil {
		return err
	}
	d.closed = true
	if d.base != nil {
		return d.base.Close()
	}
	return nil
}
