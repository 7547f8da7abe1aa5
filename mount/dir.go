//go:build !plan9

package mount

import (
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
)

// dirFile is an open directory of the namespace: an afero.File and an
// fs.ReadDirFile. Its listing is read when it is opened (and again after
// Seek(0, io.SeekStart)); Readdir, Readdirnames and ReadDir page through it
// as os.File does.
type dirFile struct {
	handle
	ns   ipcfs.Namespace
	path string // namespace path

	mu      sync.Mutex
	info    fs.FileInfo
	entries []fs.DirEntry
	off     int
}

func openDir(ns ipcfs.Namespace, name, p string) (*dirFile, error) {
	info, err := ns.Stat(p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	entries, err := ns.ReadDir(p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	d := &dirFile{ns: ns, path: p, info: info, entries: entries}
	d.name = name
	return d, nil
}

// next returns the next n entries (all with n <= 0), with io.EOF when
// n > 0 and none are left.
func (d *dirFile) next(op string, n int) ([]fs.DirEntry, error) {
	if err := d.checkValid(op); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return backend.Page(d.entries, &d.off, n)
}

// ReadDir returns the next n entries, as fs.ReadDirFile specifies.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) { return d.next("readdir", n) }

// Readdir returns the FileInfo of the next n entries (all remaining if
// n <= 0); with n > 0 it returns io.EOF at the end, as os.File.Readdir
// does. Objects removed since the directory was opened are left out.
func (d *dirFile) Readdir(n int) ([]os.FileInfo, error) {
	entries, err := d.next("readdir", n)
	if err != nil {
		return nil, err
	}
	infos := make([]os.FileInfo, 0, len(entries))
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			infos = append(infos, fi)
		}
	}
	return infos, nil
}

// Readdirnames returns the names of the next n entries, paging as Readdir.
func (d *dirFile) Readdirnames(n int) ([]string, error) {
	entries, err := d.next("readdir", n)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// Stat returns the directory's FileInfo.
func (d *dirFile) Stat() (os.FileInfo, error) {
	if err := d.checkValid("stat"); err != nil {
		return nil, err
	}
	return d.info, nil
}

// Seek(0, io.SeekStart) rereads the listing and starts over, as on an
// os.File directory; any other Seek fails with EINVAL.
func (d *dirFile) Seek(offset int64, whence int) (int64, error) {
	if err := d.checkValid("seek"); err != nil {
		return 0, err
	}
	if offset != 0 || whence != io.SeekStart {
		return 0, d.fail("seek", syscall.EINVAL)
	}
	entries, err := d.ns.ReadDir(d.path)
	if err != nil {
		return 0, d.wrap("seek", err)
	}
	d.mu.Lock()
	d.entries, d.off = entries, 0
	d.mu.Unlock()
	return 0, nil
}

// Read fails with EISDIR.
func (d *dirFile) Read([]byte) (int, error) { return 0, d.fail("read", syscall.EISDIR) }

// ReadAt fails with EISDIR.
func (d *dirFile) ReadAt([]byte, int64) (int, error) { return 0, d.fail("read", syscall.EISDIR) }

// Write fails with EISDIR.
func (d *dirFile) Write([]byte) (int, error) { return 0, d.fail("write", syscall.EISDIR) }

// WriteAt fails with EISDIR.
func (d *dirFile) WriteAt([]byte, int64) (int, error) { return 0, d.fail("write", syscall.EISDIR) }

// WriteString fails with EISDIR.
func (d *dirFile) WriteString(string) (int, error) { return 0, d.fail("write", syscall.EISDIR) }

// Truncate fails with EISDIR.
func (d *dirFile) Truncate(int64) error { return d.fail("truncate", syscall.EISDIR) }

// Sync does nothing.
func (d *dirFile) Sync() error { return d.checkValid("sync") }

// Close closes the directory; a second Close gives fs.ErrClosed.
func (d *dirFile) Close() error { return d.markClosed() }
