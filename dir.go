package ipcfs

import (
	"io"
	"io/fs"
	"sync"
	"syscall"
	"time"
)

// dirMode is the mode of the namespace's directories: like /dev/shm and
// /dev/mqueue, anyone may create objects in them.
const dirMode = fs.ModeDir | fs.ModeSticky | 0o777

// DirInfo returns the FileInfo of a namespace directory: name is its base
// name ("." for the root), dir its kind ("shm", "mq", "sem", or "" for the
// root). Namespace implementations use it so all agree.
func DirInfo(name, dir string) fs.FileInfo { return dirInfo(name, dir) }

func dirInfo(name, dir string) fs.FileInfo {
	mode := dirMode
	if dir == "" {
		mode = fs.ModeDir | 0o555
	}
	return &staticInfo{name: baseName(name), mode: mode}
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// staticInfo is a FileInfo made of plain values.
type staticInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
	sys     any
}

func (i *staticInfo) Name() string       { return i.name }
func (i *staticInfo) Size() int64        { return i.size }
func (i *staticInfo) Mode() fs.FileMode  { return i.mode }
func (i *staticInfo) ModTime() time.Time { return i.modTime }
func (i *staticInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *staticInfo) Sys() any           { return i.sys }

// NewFileInfo returns an fs.FileInfo with the given fields, for Namespace
// implementations.
func NewFileInfo(name string, size int64, mode fs.FileMode, modTime time.Time, sys any) fs.FileInfo {
	return &staticInfo{name: name, size: size, mode: mode, modTime: modTime, sys: sys}
}

// DirFile is an open namespace directory: an fs.ReadDirFile whose listing is
// read when it is opened. Read and Write fail with EISDIR. It is safe for
// concurrent use; a nil *DirFile fails every call with fs.ErrInvalid.
type DirFile struct {
	path    string
	info    fs.FileInfo
	mu      sync.Mutex // guards offset and closed
	entries []fs.DirEntry
	offset  int
	closed  bool
}

// NewDirFile returns an open directory at path with the given entries
// (sorted by the caller), for Namespace implementations.
func NewDirFile(path string, info fs.FileInfo, entries []fs.DirEntry) *DirFile {
	return &DirFile{path: path, info: info, entries: entries}
}

func newDirFile(ns *FS, path, dir string) (*DirFile, error) {
	entries, err := ns.ReadDir(path)
	if err != nil {
		return nil, pathError("open", path, err)
	}
	return NewDirFile(path, dirInfo(path, dir), entries), nil
}

// lockOpen locks d and returns nil if d is open; otherwise it returns
// fs.ErrInvalid (nil d) or fs.ErrClosed for op, and leaves d unlocked.
func (d *DirFile) lockOpen(op string) error {
	if d == nil {
		return &fs.PathError{Op: op, Path: "", Err: fs.ErrInvalid}
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return &fs.PathError{Op: op, Path: d.path, Err: fs.ErrClosed}
	}
	return nil
}

// Name returns the directory's path in the namespace.
func (d *DirFile) Name() string {
	if d == nil {
		return ""
	}
	return d.path
}

// Stat returns the directory's FileInfo.
func (d *DirFile) Stat() (fs.FileInfo, error) {
	if err := d.lockOpen("stat"); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	return d.info, nil
}

// Read fails: a directory has no bytes.
func (d *DirFile) Read([]byte) (int, error) {
	if err := d.lockOpen("read"); err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: syscall.EISDIR}
}

// Write fails: a directory has no bytes.
func (d *DirFile) Write([]byte) (int, error) {
	if err := d.lockOpen("write"); err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	return 0, &fs.PathError{Op: "write", Path: d.path, Err: syscall.EISDIR}
}

// ReadDir returns the next n entries (all remaining if n <= 0), as
// fs.ReadDirFile specifies: with n > 0, io.EOF at the end.
func (d *DirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if err := d.lockOpen("readdir"); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.offset += n
	return rest[:n], nil
}

// Close closes the directory; a second Close gives fs.ErrClosed.
func (d *DirFile) Close() error {
	if err := d.lockOpen("close"); err != nil {
		return err
	}
	defer d.mu.Unlock()
	d.closed = true
	return nil
}
