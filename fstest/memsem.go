package fstest

import (
	"context"
	"io/fs"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// memSem is an in-memory named semaphore.
type memSem struct {
	meta
	value   int64
	waiters int64 // goroutines blocked in Acquire or Read
	changed broadcast
}

func (s *memSem) info() fs.FileInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return kind.Sem.StatusInfo(s.name, s.perm, s.mtime, ipcfs.SemInfo{Value: int(s.value), Waiters: int(s.waiters)})
}

// OpenSem opens or creates an in-memory semaphore, as ipcfs.OpenSem does:
// flag takes os.O_CREATE and os.O_EXCL (the access mode is ignored, as glibc
// ignores it); value is a new semaphore's value, above SemValueMax an error
// matching fs.ErrInvalid.
func (m *MemFS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (ipcfs.Sem, error) {
	f, err := m.openSem(name, name, flag, perm, value)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// openSem opens the semaphore name; errors are about p (the path or name
// the caller gave).
func (m *MemFS) openSem(p, name string, flag int, perm fs.FileMode, value uint32) (*memSemFile, error) {
	n, err := kind.Sem.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	if value > SemValueMax {
		return nil, &fs.PathError{Op: "open", Path: p, Err: kind.SemValueTooHigh(value, SemValueMax)}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, _, err := m.create(p, kind.Sem, n, flag, func() (object, error) {
		s := &memSem{value: int64(value)}
		s.init(m, n, perm)
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	f := &memSemFile{obj: o.(*memSem)}
	f.h.init(kind.Sem, n, flag)
	return f, nil
}

// memSemFile is an open in-memory semaphore; it implements ipcfs.Sem.
type memSemFile struct {
	h   handle
	obj *memSem
	rdl deadline
}

var _ ipcfs.Sem = (*memSemFile)(nil)

func (f *memSemFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.h
}

// Name returns the name the semaphore was opened by: "/x", or "sem/x" by
// path.
func (f *memSemFile) Name() string { return f.hd().Name() }

// Stat returns the semaphore's FileInfo, as the namespace's Stat: Size the
// length of the status text, Sys an ipcfs.SemInfo with the value.
func (f *memSemFile) Stat() (fs.FileInfo, error) {
	if err := f.hd().checkValid("stat"); err != nil {
		return nil, err
	}
	return f.obj.info(), nil
}

// tryTake takes one unit if the value is positive. s.mu must not be held.
func (s *memSem) tryTake() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value > 0 {
		s.value--
		return true
	}
	return false
}

func (f *memSemFile) acquire(op string, ctx context.Context) error {
	if err := f.hd().checkValid(op); err != nil {
		return err
	}
	s := f.obj
	waiting := false
	err := block(ctx, &f.rdl, f.h.closed, func() (bool, <-chan struct{}, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.value > 0 {
			s.value--
			if waiting {
				s.waiters--
				waiting = false
			}
			return true, nil, nil
		}
		if !waiting {
			s.waiters++
			waiting = true
		}
		return false, s.changed.wait(), nil
	})
	if waiting {
		s.mu.Lock()
		s.waiters--
		s.mu.Unlock()
	}
	return f.h.err(op, err)
}

// Acquire takes one unit, waiting while the value is zero, until ctx ends
// (ctx.Err()), the read deadline passes (os.ErrDeadlineExceeded) or the
// handle is closed (fs.ErrClosed); nothing is taken then. A ctx already
// done or a deadline already past fails before trying.
func (f *memSemFile) Acquire(ctx context.Context) error { return f.acquire("acquire", ctx) }

// TryAcquire takes one unit without waiting, or fails with ErrWouldBlock.
func (f *memSemFile) TryAcquire() error {
	if err := f.hd().checkValid("acquire"); err != nil {
		return err
	}
	if !f.obj.tryTake() {
		return f.h.err("acquire", ipcfs.ErrWouldBlock)
	}
	return nil
}

func (s *memSem) release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value >= SemValueMax {
		return kind.SemValueAtMax(SemValueMax)
	}
	s.value++
	s.changed.notify()
	return nil
}

// Release adds one unit; at SemValueMax it fails with EOVERFLOW and
// changes nothing.
func (f *memSemFile) Release() error {
	if err := f.hd().checkValid("release"); err != nil {
		return err
	}
	return f.h.err("release", f.obj.release())
}

// Value returns the current value.
func (f *memSemFile) Value() (int, error) {
	if err := f.hd().checkValid("value"); err != nil {
		return 0, err
	}
	f.obj.mu.Lock()
	defer f.obj.mu.Unlock()
	return int(f.obj.value), nil
}

// Read waits until it can take one unit (as Acquire does, bounded by the
// read deadline; one already past fails before trying), then takes up to
// len(p) units without waiting more; it returns how many it took, one byte
// (set to 1) per unit, as the host's SemFile.Read.
func (f *memSemFile) Read(p []byte) (int, error) {
	if err := f.hd().checkValid("read"); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := f.acquire("read", context.Background()); err != nil {
		return 0, err
	}
	n := 1
	for n < len(p) && f.obj.tryTake() {
		n++
	}
	for i := range p[:n] {
		p[i] = 1
	}
	return n, nil
}

// Write releases len(p) units; at SemValueMax it stops with EOVERFLOW and
// returns how many it released.
func (f *memSemFile) Write(p []byte) (int, error) {
	if err := f.hd().checkValid("write"); err != nil {
		return 0, err
	}
	for i := range p {
		if err := f.obj.release(); err != nil {
			return i, f.h.err("write", err)
		}
	}
	return len(p), nil
}

// SetDeadline sets the deadline for waits in Read and Acquire.
func (f *memSemFile) SetDeadline(t time.Time) error {
	if err := f.hd().checkValid("setdeadline"); err != nil {
		return err
	}
	f.rdl.set(t)
	return nil
}

// SetReadDeadline is SetDeadline.
func (f *memSemFile) SetReadDeadline(t time.Time) error { return f.SetDeadline(t) }

// Close closes the handle; goroutines waiting in Acquire or Read on it
// return fs.ErrClosed. A second Close gives fs.ErrClosed.
func (f *memSemFile) Close() error { return f.hd().close() }
