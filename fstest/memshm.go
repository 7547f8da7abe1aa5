package fstest

import (
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// MaxShmSize is the largest in-memory segment: a write or resize beyond it
// fails with EFBIG instead of allocating (the host's tmpfs would make the
// segment sparse; memory here is real).
const MaxShmSize = 1 << 30

// memShm is an in-memory shared memory segment.
type memShm struct {
	meta
	data []byte
}

func (s *memShm) info() fs.FileInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return kind.Shm.Info(s.name, int64(len(s.data)), s.perm, s.mtime, nil)
}

// resize sets the size to n (zero-filling growth). s.mu must be held.
func (s *memShm) resize(n int64) error {
	switch {
	case n < 0:
		return kind.NegativeSize(n)
	case n > MaxShmSize:
		return sys.EFBIG
	case n <= int64(len(s.data)):
		clear(s.data[n:])
		s.data = s.data[:n]
	case n <= int64(cap(s.data)):
		s.data = s.data[:n]
	default:
		d := make([]byte, n, max(n, 2*int64(cap(s.data))))
		copy(d, s.data)
		s.data = d[:n]
	}
	s.touch()
	return nil
}

// OpenShm opens or creates an in-memory segment, as ipcfs.OpenShm does: flag
// takes os.O_RDONLY or os.O_RDWR (os.O_WRONLY opens read-write, as on the
// host, where a mapping needs read access), os.O_CREATE, os.O_EXCL and
// os.O_TRUNC; size > 0 resizes new or existing segments. A read-only handle
// cannot write (EBADF).
func (m *MemFS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (ipcfs.Shm, error) {
	f, err := m.openShm(name, name, flag, perm, size)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// openShm opens the segment name; errors are about p (the path or name the
// caller gave).
func (m *MemFS) openShm(p, name string, flag int, perm fs.FileMode, size int64) (*memShmFile, error) {
	n, err := kind.Shm.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	if size < 0 {
		return nil, &fs.PathError{Op: "open", Path: p, Err: kind.NegativeSize(size)}
	}
	if _, write := kind.Shm.Access(flag); size > 0 && !write {
		return nil, &fs.PathError{Op: "open", Path: p, Err: sys.EINVAL} // ftruncate on a read-only descriptor
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, created, err := m.create(p, kind.Shm, n, flag, func() (object, error) {
		s := &memShm{}
		s.init(m, n, perm)
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	s := o.(*memShm)
	s.mu.Lock()
	defer s.mu.Unlock()
	if flag&os.O_TRUNC != 0 && !created {
		s.resize(0)
	}
	if size > 0 {
		if err := s.resize(size); err != nil {
			if created { // as the host, remove what this call made
				delete(m.objects, kind.Path{Kind: kind.Shm, Name: n})
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: err}
		}
	}
	f := &memShmFile{obj: s}
	f.h.init(kind.Shm, n, flag)
	return f, nil
}

// memShmFile is an open in-memory segment; it implements
// ipcfs.Shm.
type memShmFile struct {
	h   handle
	obj *memShm

	mu  sync.Mutex // guards off
	off int64
}

var _ ipcfs.Shm = (*memShmFile)(nil)

func (f *memShmFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.h
}

// Name returns the name the segment was opened by: "/x", or "shm/x" by
// path.
func (f *memShmFile) Name() string { return f.hd().Name() }

// Stat returns the segment's FileInfo: a regular file with its size.
func (f *memShmFile) Stat() (fs.FileInfo, error) {
	if err := f.hd().checkValid("stat"); err != nil {
		return nil, err
	}
	return f.obj.info(), nil
}

// Size returns the segment's current size.
func (f *memShmFile) Size() (int64, error) {
	if err := f.hd().checkValid("stat"); err != nil {
		return 0, err
	}
	return f.obj.size(), nil
}

func (s *memShm) size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.data))
}

// readAt copies from the segment at off; io.EOF when it ends before p is
// full.
func (f *memShmFile) readAt(p []byte, off int64) (int, error) {
	f.obj.mu.Lock()
	defer f.obj.mu.Unlock()
	if off >= int64(len(f.obj.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, f.obj.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// writeAt copies p into the segment at off, growing it as needed.
func (f *memShmFile) writeAt(p []byte, off int64) (int, error) {
	f.obj.mu.Lock()
	defer f.obj.mu.Unlock()
	end := off + int64(len(p))
	if end < off || end > MaxShmSize {
		return 0, sys.EFBIG
	}
	if end > int64(len(f.obj.data)) {
		if err := f.obj.resize(end); err != nil {
			return 0, err
		}
	}
	n := copy(f.obj.data[off:], p)
	f.obj.touch()
	return n, nil
}

// Read reads from the handle's offset and advances it; at the end it
// returns 0, io.EOF.
func (f *memShmFile) Read(p []byte) (int, error) {
	if err := f.hd().checkRead("read"); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.readAt(p, f.off)
	f.off += int64(n)
	if n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt reads len(p) bytes at off without moving the offset; fewer bytes
// come with io.EOF.
func (f *memShmFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.hd().checkRead("readat"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, f.h.err("readat", kind.NegativeOffset(off))
	}
	return f.readAt(p, off)
}

// Write writes at the handle's offset, growing the segment, and advances
// the offset.
func (f *memShmFile) Write(p []byte) (int, error) {
	if err := f.hd().checkWrite("write"); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.writeAt(p, f.off)
	f.off += int64(n)
	return n, f.h.err("write", err)
}

// WriteAt writes at off, growing the segment, without moving the offset.
func (f *memShmFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.hd().checkWrite("writeat"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, f.h.err("writeat", kind.NegativeOffset(off))
	}
	n, err := f.writeAt(p, off)
	return n, f.h.err("writeat", err)
}

// Seek sets the offset for the next Read or Write, as os.File.Seek does.
func (f *memShmFile) Seek(offset int64, whence int) (int64, error) {
	if err := f.hd().checkValid("seek"); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	off, err := kind.Seek(offset, whence, f.off, func(bool) (int64, error) { return f.obj.size(), nil })
	if err != nil {
		return 0, f.h.err("seek", err)
	}
	f.off = off
	return off, nil
}

// ReadFrom copies r into the segment from the handle's offset until io.EOF,
// growing it, and advances the offset.
func (f *memShmFile) ReadFrom(r io.Reader) (int64, error) {
	if err := f.hd().checkWrite("write"); err != nil {
		return 0, err
	}
	if r == nil {
		return 0, f.h.err("write", fs.ErrInvalid)
	}
	buf := make([]byte, 32*1024)
	var total int64
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			w, err := f.Write(buf[:n])
			total += int64(w)
			if err != nil {
				return total, err
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// WriteTo writes the segment from the handle's offset to its end into w
// and advances the offset.
func (f *memShmFile) WriteTo(w io.Writer) (int64, error) {
	if err := f.hd().checkRead("read"); err != nil {
		return 0, err
	}
	if w == nil {
		return 0, f.h.err("read", fs.ErrInvalid)
	}
	// As on the host, no lock is held while w runs: the bytes are claimed
	// (the offset moves past them), then handed to w, and what w did not
	// take is given back unless the offset moved meanwhile.
	f.mu.Lock()
	pos := f.off
	f.obj.mu.Lock()
	var chunk []byte
	if pos < int64(len(f.obj.data)) {
		chunk = append([]byte(nil), f.obj.data[pos:]...)
	}
	f.obj.mu.Unlock()
	end := pos + int64(len(chunk))
	f.off = end
	f.mu.Unlock()
	n := 0
	defer func() {
		f.mu.Lock()
		if f.off == end {
			f.off = pos + int64(n)
		}
		f.mu.Unlock()
	}()
	n, err := w.Write(chunk)
	if n < 0 || n > len(chunk) {
		n = 0
		return 0, f.h.err("read", syscall.EIO)
	}
	if err == nil && n < len(chunk) {
		err = io.ErrShortWrite
	}
	return int64(n), err
}

// Truncate resizes the segment; the handle must be open for writing.
func (f *memShmFile) Truncate(size int64) error {
	if err := f.hd().checkWrite("truncate"); err != nil {
		return err
	}
	f.obj.mu.Lock()
	defer f.obj.mu.Unlock()
	return f.h.err("truncate", f.obj.resize(size))
}

// Sync does nothing: memory is the store.
func (f *memShmFile) Sync() error { return f.hd().checkValid("sync") }

// Close closes the handle; the segment lives on until removed. A second
// Close gives fs.ErrClosed.
func (f *memShmFile) Close() error { return f.hd().close() }
