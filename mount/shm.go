//go:build !plan9

package mount

import (
	"io"
	"syscall"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// shmFile is an open shared memory segment: an afero.File and an
// ipcfs.Shm.
type shmFile struct {
	handle
	shm      ipcfs.Shm
	readable bool
	writable bool
	append   *appendLock // the segment's O_APPEND lock; nil without O_APPEND
}

var (
	_ ipcfs.Shm     = (*shmFile)(nil)
	_ io.ReaderFrom = (*shmFile)(nil)
)

func (f *shmFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.handle
}

func (f *shmFile) checkRead(op string) error {
	if err := f.hd().checkValid(op); err != nil {
		return err
	}
	if !f.readable {
		return f.fail(op, kind.NotReadable())
	}
	return nil
}

func (f *shmFile) checkWrite(op string) error {
	if err := f.hd().checkValid(op); err != nil {
		return err
	}
	if !f.writable {
		return f.fail(op, kind.NotWritable())
	}
	return nil
}

// Read reads from the file's offset; 0, io.EOF at the end.
func (f *shmFile) Read(p []byte) (int, error) {
	if err := f.checkRead("read"); err != nil {
		return 0, err
	}
	n, err := f.shm.Read(p)
	return n, f.wrap("read", err)
}

// ReadAt reads at off; fewer than len(p) bytes come with io.EOF.
func (f *shmFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.checkRead("readat"); err != nil {
		return 0, err
	}
	n, err := f.shm.ReadAt(p, off)
	return n, f.wrap("readat", err)
}

// Seek sets the offset, as os.File.Seek does.
func (f *shmFile) Seek(offset int64, whence int) (int64, error) {
	if err := f.hd().checkValid("seek"); err != nil {
		return 0, err
	}
	n, err := f.shm.Seek(offset, whence)
	return n, f.wrap("seek", err)
}

// Write writes at the offset, growing the segment. With os.O_APPEND it
// writes at the end of the segment, found and written in one step with
// respect to every other O_APPEND file of the segment in this process (see
// OpenFile); the offset is then the new end.
func (f *shmFile) Write(p []byte) (int, error) {
	if err := f.checkWrite("write"); err != nil {
		return 0, err
	}
	if f.append != nil {
		f.append.Lock()
		defer f.append.Unlock()
		if _, err := f.shm.Seek(0, io.SeekEnd); err != nil {
			return 0, f.wrap("write", err)
		}
	}
	n, err := f.shm.Write(p)
	return n, f.wrap("write", err)
}

// Close closes the file, as handle.Close does, and lets go of the
// segment's O_APPEND lock.
func (f *shmFile) Close() error {
	if err := f.hd().markClosed(); err != nil {
		return err
	}
	if f.append != nil {
		defer f.append.release()
	}
	return f.wrap("close", f.obj.Close())
}

// WriteString is Write of s.
func (f *shmFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// WriteAt writes at off, growing the segment; with os.O_APPEND it fails
// (EINVAL), as os.File.WriteAt does.
func (f *shmFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.checkWrite("writeat"); err != nil {
		return 0, err
	}
	if f.append != nil {
		return 0, f.fail("writeat", syscall.EINVAL)
	}
	n, err := f.shm.WriteAt(p, off)
	return n, f.wrap("writeat", err)
}

// ReadFrom copies r into the segment from the offset, so io.Copy goes
// straight into the segment. With os.O_APPEND each piece r returns is
// appended as one Write, and no lock is held while r runs.
func (f *shmFile) ReadFrom(r io.Reader) (int64, error) {
	if err := f.checkWrite("write"); err != nil {
		return 0, err
	}
	if f.append != nil {
		return io.Copy(writerOnly{f}, r)
	}
	n, err := f.shm.ReadFrom(r)
	return n, f.wrap("write", err)
}

// writerOnly hides every method of an io.Writer but Write, so io.Copy
// calls Write with its buffer instead of ReadFrom.
type writerOnly struct{ io.Writer }

// WriteTo copies the segment from the offset to its end into w.
func (f *shmFile) WriteTo(w io.Writer) (int64, error) {
	if err := f.checkRead("read"); err != nil {
		return 0, err
	}
	n, err := f.shm.WriteTo(w)
	return n, f.wrap("read", err)
}

// Size returns the segment's current size.
func (f *shmFile) Size() (int64, error) {
	if err := f.hd().checkValid("stat"); err != nil {
		return 0, err
	}
	n, err := f.shm.Size()
	return n, f.wrap("stat", err)
}

// Truncate resizes the segment.
func (f *shmFile) Truncate(size int64) error {
	if err := f.checkWrite("truncate"); err != nil {
		return err
	}
	return f.wrap("truncate", f.shm.Truncate(size))
}

// Sync flushes the mapping (msync).
func (f *shmFile) Sync() error {
	if err := f.hd().checkValid("sync"); err != nil {
		return err
	}
	return f.wrap("sync", f.shm.Sync())
}
