//go:build !plan9

package mount

import (
	"context"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sys"
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

// checkValid returns fs.ErrClosed (fs.ErrInvalid for nil) for op.
func (h *handle) checkValid(op string) error {
	if h == nil {
		return &fs.PathError{Op: op, Path: "", Err: fs.ErrInvalid}
	}
	if h.closed.Load() {
		return &fs.PathError{Op: op, Path: h.name, Err: fs.ErrClosed}
	}
	return nil
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

// Stat returns the object's FileInfo: a regular file for a segment,
// fs.ModeIrregular for a queue (Size the bytes queued) or a semaphore.
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

// shmFile is an open shared memory segment: an afero.File and an
// ipcfs.Shm.
type shmFile struct {
	handle
	shm      ipcfs.Shm
	readable bool
	writable bool
	append   bool
	mu       sync.Mutex // serialises O_APPEND writes
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
		return f.fail(op, sys.EBADF)
	}
	return nil
}

func (f *shmFile) checkWrite(op string) error {
	if err := f.hd().checkValid(op); err != nil {
		return err
	}
	if !f.writable {
		return f.fail(op, sys.EBADF)
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

// Write writes at the offset (at the end with os.O_APPEND), growing the
// segment.
func (f *shmFile) Write(p []byte) (int, error) {
	if err := f.checkWrite("write"); err != nil {
		return 0, err
	}
	if f.append {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, err := f.shm.Seek(0, io.SeekEnd); err != nil {
			return 0, f.wrap("write", err)
		}
	}
	n, err := f.shm.Write(p)
	return n, f.wrap("write", err)
}

// WriteString is Write of s.
func (f *shmFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// WriteAt writes at off, growing the segment; with os.O_APPEND it fails
// (EINVAL), as os.File.WriteAt does.
func (f *shmFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.checkWrite("writeat"); err != nil {
		return 0, err
	}
	if f.append {
		return 0, f.fail("writeat", syscall.EINVAL)
	}
	n, err := f.shm.WriteAt(p, off)
	return n, f.wrap("writeat", err)
}

// ReadFrom copies r into the segment from the offset (the end with
// os.O_APPEND), so io.Copy goes straight into the segment.
func (f *shmFile) ReadFrom(r io.Reader) (int64, error) {
	if err := f.checkWrite("write"); err != nil {
		return 0, err
	}
	if f.append {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, err := f.shm.Seek(0, io.SeekEnd); err != nil {
			return 0, f.wrap("write", err)
		}
	}
	n, err := f.shm.ReadFrom(r)
	return n, f.wrap("write", err)
}

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
// kept, if p is too small); on a semaphore it waits for one unit, then takes
// up to len(p) units without waiting.
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

// mqFile is an open message queue: an afero.File and an
// ipcfs.Mq. Write sends one message, Read receives one.
type mqFile struct {
	stream
	q ipcfs.Mq
}

var _ ipcfs.Mq = (*mqFile)(nil)

func (f *mqFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.handle
}

// Send is ipcfs.Mq.Send.
func (f *mqFile) Send(ctx context.Context, msg []byte, prio uint) error {
	if err := f.hd().checkValid("send"); err != nil {
		return err
	}
	return f.wrap("send", f.q.Send(ctx, msg, prio))
}

// Receive is ipcfs.Mq.Receive.
func (f *mqFile) Receive(ctx context.Context, buf []byte) (int, uint, error) {
	if err := f.hd().checkValid("receive"); err != nil {
		return 0, 0, err
	}
	n, prio, err := f.q.Receive(ctx, buf)
	return n, prio, f.wrap("receive", err)
}

// Attr is ipcfs.Mq.Attr.
func (f *mqFile) Attr() (ipcfs.MqAttr, error) {
	if err := f.hd().checkValid("attr"); err != nil {
		return ipcfs.MqAttr{}, err
	}
	a, err := f.q.Attr()
	return a, f.wrap("attr", err)
}

// SetNonblocking is ipcfs.Mq.SetNonblocking.
func (f *mqFile) SetNonblocking(nonblocking bool) error {
	if err := f.hd().checkValid("setnonblocking"); err != nil {
		return err
	}
	return f.wrap("setnonblocking", f.q.SetNonblocking(nonblocking))
}

// SetPriority is ipcfs.Mq.SetPriority.
func (f *mqFile) SetPriority(prio uint) error {
	if err := f.hd().checkValid("setpriority"); err != nil {
		return err
	}
	return f.wrap("setpriority", f.q.SetPriority(prio))
}

// SetDeadline is ipcfs.Mq.SetDeadline.
func (f *mqFile) SetDeadline(t time.Time) error {
	if err := f.hd().checkValid("setdeadline"); err != nil {
		return err
	}
	return f.wrap("setdeadline", f.q.SetDeadline(t))
}

// SetReadDeadline is ipcfs.Mq.SetReadDeadline.
func (f *mqFile) SetReadDeadline(t time.Time) error {
	if err := f.hd().checkValid("setreaddeadline"); err != nil {
		return err
	}
	return f.wrap("setreaddeadline", f.q.SetReadDeadline(t))
}

// SetWriteDeadline is ipcfs.Mq.SetWriteDeadline.
func (f *mqFile) SetWriteDeadline(t time.Time) error {
	if err := f.hd().checkValid("setwritedeadline"); err != nil {
		return err
	}
	return f.wrap("setwritedeadline", f.q.SetWriteDeadline(t))
}

// Notify is ipcfs.Mq.Notify.
func (f *mqFile) Notify(fn func()) error {
	if err := f.hd().checkValid("notify"); err != nil {
		return err
	}
	return f.wrap("notify", f.q.Notify(fn))
}

// CancelNotify is ipcfs.Mq.CancelNotify.
func (f *mqFile) CancelNotify() error {
	if err := f.hd().checkValid("cancelnotify"); err != nil {
		return err
	}
	return f.wrap("cancelnotify", f.q.CancelNotify())
}

// semFile is an open semaphore: an afero.File and an ipcfs.Sem. Read
// acquires, Write releases.
type semFile struct {
	stream
	sem ipcfs.Sem
}

var _ ipcfs.Sem = (*semFile)(nil)

func (f *semFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.handle
}

// Acquire is ipcfs.Sem.Acquire.
func (f *semFile) Acquire(ctx context.Context) error {
	if err := f.hd().checkValid("acquire"); err != nil {
		return err
	}
	return f.wrap("acquire", f.sem.Acquire(ctx))
}

// TryAcquire is ipcfs.Sem.TryAcquire.
func (f *semFile) TryAcquire() error {
	if err := f.hd().checkValid("acquire"); err != nil {
		return err
	}
	return f.wrap("acquire", f.sem.TryAcquire())
}

// Release is ipcfs.Sem.Release.
func (f *semFile) Release() error {
	if err := f.hd().checkValid("release"); err != nil {
		return err
	}
	return f.wrap("release", f.sem.Release())
}

// Value is ipcfs.Sem.Value.
func (f *semFile) Value() (int, error) {
	if err := f.hd().checkValid("value"); err != nil {
		return 0, err
	}
	v, err := f.sem.Value()
	return v, f.wrap("value", err)
}

// SetDeadline is ipcfs.Sem.SetDeadline.
func (f *semFile) SetDeadline(t time.Time) error {
	if err := f.hd().checkValid("setdeadline"); err != nil {
		return err
	}
	return f.wrap("setdeadline", f.sem.SetDeadline(t))
}

// SetReadDeadline is ipcfs.Sem.SetReadDeadline.
func (f *semFile) SetReadDeadline(t time.Time) error { return f.SetDeadline(t) }
