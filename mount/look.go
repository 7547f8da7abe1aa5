//go:build !plan9

package mount

import (
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// lookFile is a queue or a semaphore opened with Open, to look: an
// afero.File over the namespace's status file (backend.StatusFile), whose
// content is the object's status text. Reading it receives and acquires
// nothing; writing fails with an error matching fs.ErrPermission.
type lookFile struct {
	handle // name and closed; obj is not used
	f      fs.File
}

// Stat returns the object's FileInfo as of the open: a regular file whose
// Size is the length of the status text.
func (l *lookFile) Stat() (os.FileInfo, error) {
	if err := l.checkValid("stat"); err != nil {
		return nil, err
	}
	fi, err := l.f.Stat()
	return fi, l.wrap("stat", err)
}

// Read reads the status text; io.EOF at its end.
func (l *lookFile) Read(p []byte) (int, error) {
	if err := l.checkValid("read"); err != nil {
		return 0, err
	}
	n, err := l.f.Read(p)
	return n, l.wrap("read", err)
}

// ReadAt reads the status text at off.
func (l *lookFile) ReadAt(p []byte, off int64) (int, error) {
	if err := l.checkValid("readat"); err != nil {
		return 0, err
	}
	r, ok := l.f.(io.ReaderAt)
	if !ok {
		return 0, l.fail("readat", syscall.ESPIPE)
	}
	n, err := r.ReadAt(p, off)
	return n, l.wrap("readat", err)
}

// Seek sets the offset of the next Read.
func (l *lookFile) Seek(offset int64, whence int) (int64, error) {
	if err := l.checkValid("seek"); err != nil {
		return 0, err
	}
	s, ok := l.f.(io.Seeker)
	if !ok {
		return 0, l.fail("seek", syscall.ESPIPE)
	}
	n, err := s.Seek(offset, whence)
	return n, l.wrap("seek", err)
}

// Write fails: a file opened with Open is not open for writing. Use
// OpenFile to send or release.
func (l *lookFile) Write([]byte) (int, error) { return 0, l.fail("write", kind.NotWritable()) }

// WriteAt fails as Write does.
func (l *lookFile) WriteAt([]byte, int64) (int, error) {
	return 0, l.fail("writeat", kind.NotWritable())
}

// WriteString fails as Write does.
func (l *lookFile) WriteString(string) (int, error) { return 0, l.fail("write", kind.NotWritable()) }

// Truncate fails as Write does.
func (l *lookFile) Truncate(int64) error { return l.fail("truncate", kind.NotWritable()) }

// Sync does nothing; fs.ErrClosed after Close.
func (l *lookFile) Sync() error { return l.checkValid("sync") }

// Close closes the file; a second Close gives fs.ErrClosed.
func (l *lookFile) Close() error {
	if err := l.markClosed(); err != nil {
		return err
	}
	return l.wrap("close", l.f.Close())
}
