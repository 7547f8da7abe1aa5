package backend

import (
	"io"
	"io/fs"
	"sync"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// DirFile is an open namespace directory: an fs.ReadDirFile (and an
// ipcfs.File) whose listing is read when it is opened. Read and Write fail
// with EISDIR. It is safe for concurrent use; a nil *DirFile fails every
// call with fs.ErrInvalid.
type DirFile struct {
	path    string
	info    fs.FileInfo
	mu      sync.Mutex // guards offset and closed
	entries []fs.DirEntry
	offset  int
	closed  bool
}

// NewDirFile returns an open directory at path (its namespace path, which
// Name returns) with the FileInfo info and the entries, sorted by the
// caller as ReadDir sorts them.
func NewDirFile(path string, info fs.FileInfo, entries []fs.DirEntry) *DirFile {
	return &DirFile{path: path, info: info, entries: entries}
}

// OpenDir opens the directory p of fsys (".", "shm", "mq" or "sem") as a
// DirFile, reading its listing now, as a namespace's OpenFile does.
func OpenDir(fsys FS, p string) (*DirFile, error) {
	entries, err := fsys.ReadDir(p)
	if err != nil {
		return nil, err
	}
	l, err := kind.Parse("open", p)
	if err != nil {
		return nil, err
	}
	return NewDirFile(p, kind.DirInfo(p, l.Kind), entries), nil
}

// RootEntries returns the listing of a namespace's root, as ReadDir(".")
// gives it: the directories "mq", "sem" and "shm", sorted.
func RootEntries() []fs.DirEntry { return kind.RootEntries() }

// lock locks d and returns nil if d is open; otherwise it returns
// fs.ErrInvalid (nil d) or fs.ErrClosed for op, and leaves d unlocked.
func (d *DirFile) lock(op string) error {
	if d == nil {
		return kind.NilHandle(op)
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
	if err := d.lock("stat"); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	return d.info, nil
}

// Read fails: a directory has no bytes.
func (d *DirFile) Read([]byte) (int, error) {
	if err := d.lock("read"); err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: syscall.EISDIR}
}

// Write fails: a directory has no bytes.
func (d *DirFile) Write([]byte) (int, error) {
	if err := d.lock("write"); err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	return 0, &fs.PathError{Op: "write", Path: d.path, Err: syscall.EISDIR}
}

// ReadDir returns the next n entries (all remaining if n <= 0), as
// fs.ReadDirFile specifies: with n > 0, io.EOF at the end.
func (d *DirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if err := d.lock("readdir"); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	return Page(d.entries, &d.offset, n)
}

// Close closes the directory; a second Close gives fs.ErrClosed.
func (d *DirFile) Close() error {
	if err := d.lock("close"); err != nil {
		return err
	}
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// Page returns the next n items of list after *off (all the rest for
// n <= 0) and advances *off, with io.EOF when n > 0 and none are left: the
// paging of fs.ReadDirFile.ReadDir and os.File.Readdir, for directory files
// of other shapes (an afero.File).
func Page[T any](list []T, off *int, n int) ([]T, error) {
	rest := list[*off:]
	if n <= 0 {
		*off = len(list)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	*off += n
	return rest[:n], nil
}
