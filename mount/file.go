//go:build !plan9

package mount

import (
	"io"
	"io/fs"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// handle is what every open file of the mount has: the name the caller
// opened it by, the namespace's open object, and whether it is closed.
type handle struct {
	name   string
	obj    ipcfs.File
	closed atomic.Bool
}

// Name returns the path the file was opened with, as os.File.Name does, so
// it can be passed back to the Fs (afero.TempFile callers Remove it).
func (h *handle) Name() string {
	if h == nil {
		return ""
	}
	return h.name
}

// setName makes the file report name, and its errors carry it: AsNamespace
// gives back the namespace path (or POSIX name) it was asked for.
func (h *handle) setName(name string) { h.name = name }

// checkValid returns fs.ErrClosed (fs.ErrInvalid for nil) for op.
func (h *handle) checkValid(op string) error {
	if h == nil {
		return kind.NilHandle(op)
	}
	return kind.IfClosed(op, h.name, h.closed.Load())
}

// markClosed marks the handle closed, or returns fs.ErrClosed if it was.
func (h *handle) markClosed() error {
	if h == nil {
		return &fs.PathError{Op: "close", Path: "", Err: fs.ErrInvalid}
	}
	if h.closed.Swap(true) {
		return &fs.PathError{Op: "close", Path: h.name, Err: fs.ErrClosed}
	}
	return nil
}

// fail returns errno for op, or fs.ErrClosed if the handle is closed.
func (h *handle) fail(op string, errno error) error {
	if err := h.checkValid(op); err != nil {
		return err
	}
	return &fs.PathError{Op: op, Path: h.name, Err: errno}
}

// wrap re-labels an error of the underlying handle with the file's name.
func (h *handle) wrap(op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return pathErr(op, h.name, err)
}

// Stat returns the object's FileInfo: a regular file, whose Size is a
// segment's length or the length of a queue's or a semaphore's status text
// (the bytes queued and the value are in Sys).
func (h *handle) Stat() (os.FileInfo, error) {
	if err := h.checkValid("stat"); err != nil {
		return nil, err
	}
	fi, err := h.obj.Stat()
	return fi, h.wrap("stat", err)
}

// Close closes the file, waking its blocked calls with fs.ErrClosed; a
// second Close gives fs.ErrClosed.
func (h *handle) Close() error {
	if err := h.markClosed(); err != nil {
		return err
	}
	return h.wrap("close", h.obj.Close())
}

// Readdir fails with ENOTDIR: not a directory.
func (h *handle) Readdir(int) ([]os.FileInfo, error) { return nil, h.fail("readdir", syscall.ENOTDIR) }

// Readdirnames fails with ENOTDIR: not a directory.
func (h *handle) Readdirnames(int) ([]string, error) { return nil, h.fail("readdir", syscall.ENOTDIR) }

// stream is what a queue and a semaphore file share: Read and Write go to
// the object (a queue receives and sends whole messages, a semaphore
// acquires and releases units), and the afero.File methods that cannot
// apply fail: there is no offset and no size to change.
type stream struct{ handle }

func (s *stream) hd() *handle {
	if s == nil {
		return nil
	}
	return &s.handle
}

// Read receives one whole message from a queue (io.ErrShortBuffer, message
// kept, if p is too small: give readers a buffer of the queue's
// MessageSize); on a semaphore it waits for one unit, then takes up to
// len(p) units without waiting.
func (s *stream) Read(p []byte) (int, error) {
	if err := s.hd().checkValid("read"); err != nil {
		return 0, err
	}
	n, err := s.obj.Read(p)
	return n, s.wrap("read", err)
}

// Write sends p as one message at the queue handle's priority, or releases
// len(p) units of a semaphore.
func (s *stream) Write(p []byte) (int, error) {
	if err := s.hd().checkValid("write"); err != nil {
		return 0, err
	}
	n, err := s.obj.Write(p)
	return n, s.wrap("write", err)
}

// WriteString is Write([]byte(str)).
func (s *stream) WriteString(str string) (int, error) { return s.Write([]byte(str)) }

// ReadAt fails with ESPIPE: the object has no offsets.
func (s *stream) ReadAt([]byte, int64) (int, error) { return 0, s.fail("readat", syscall.ESPIPE) }

// WriteAt fails with ESPIPE: the object has no offsets.
func (s *stream) WriteAt([]byte, int64) (int, error) { return 0, s.fail("writeat", syscall.ESPIPE) }

// Seek fails with ESPIPE: the object has no offsets.
func (s *stream) Seek(int64, int) (int64, error) { return 0, s.fail("seek", syscall.ESPIPE) }

// Truncate fails with EINVAL: the object has no size to set.
func (s *stream) Truncate(int64) error { return s.fail("truncate", syscall.EINVAL) }

// Sync does nothing (nothing is buffered); fs.ErrClosed after Close.
func (s *stream) Sync() error { return s.checkValid("sync") }
