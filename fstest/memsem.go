package fstest

import (
	"context"
	"io/fs"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// memSem is an in-memory named semaphore.
type memSem struct {
	meta
	value   int64
	changed broadcast
}

func (s *memSem) info() fs.FileInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ipcfs.NewFileInfo(s.name, 0, fs.ModeIrregular|s.perm, s.mtime, ipcfs.SemInfo{Value: int(s.value)})
}

// OpenSem opens or creates an in-memory semaphore, as ipcfs.OpenSem does:
// flag takes os.O_CREATE and os.O_EXCL (the access mode is ignored, as glibc
// ignores it); value is a new semaphore's value, above SemValueMax EINVAL.
func (m *MemFS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (ipcfs.Semaphore, error) {
	f, err := m.openSem("open", name, name, flag, perm, value)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (m *MemFS) openSem(op, p, name string, flag int, perm fs.FileMode, value uint32) (*memSemFile, error) {
	n, err := ipcfs.CleanName("sem", name)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: p, Err: err}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.initMaps()
	s, exists := m.sem[n]
	if err := checkOpen(op, p, exists, flag); err != nil {
		return nil, err
	}
	if !exists {
		if value > SemValueMax {
			return nil, &fs.PathError{Op: op, Path: p, Err: syscall.EINVAL}
		}
		s = &memSem{value: int64(value)}
		s.init(n, perm)
		m.sem[n] = s
	}
	f := &memSemFile{obj: s}
	f.h.init(n, 2) // always read-write, as glibc opens O_RDWR
	return f, nil
}

// memSemFile is an open in-memory semaphore; it implements ipcfs.Semaphore.
type memSemFile struct {
	h   handle
	obj *memSem
	rdl deadline
}

var _ ipcfs.Semaphore = (*memSemFile)(nil)

func (f *memSemFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.h
}

// Name returns the semaphore's POSIX name ("/x").
func (f *memSemFile) Name() string { return f.hd().Name() }

// Stat returns the semaphore's FileInfo: fs.ModeIrregular, Sys an
// ipcfs.SemInfo with the value.
func (f *memSemFile) Stat() (fs.FileInfo, error) {
	if err := f.hd().check("stat"); err != nil {
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
	if err := f.hd().check(op); err != nil {
		return err
	}
	s := f.obj
	err := block(ctx, &f.rdl, f.h.closed, func() (bool, <-chan struct{}, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.value > 0 {
			s.value--
			return true, nil, nil
		}
		return false, s.changed.wait(), nil
	})
	return f.h.err(op, err)
}

// Acquire takes one unit, waiting while the value is zero, until ctx ends
// (ctx.Err()), the read deadline passes (os.ErrDeadlineExceeded) or the
// handle is closed (fs.ErrClosed); nothing is taken then.
func (f *memSemFile) Acquire(ctx context.Context) error { return f.acquire("acquire", ctx) }

// TryAcquire takes one unit without waiting, or fails with ErrWouldBlock.
func (f *memSemFile) TryAcquire() error {
	if err := f.hd().check("tryacquire"); err != nil {
		return err
	}
	if !f.obj.tryTake() {
		return f.h.err("tryacquire", ipcfs.ErrWouldBlock)
	}
	return nil
}

func (s *memSem) release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value >= SemValueMax {
		return sys.EOVERFLOW
	}
	s.value++
	s.changed.notify()
	return nil
}

// Release adds one unit; at SemValueMax it fails with EOVERFLOW and
// changes nothing.
func (f *memSemFile) Release() error {
	if err := f.hd().check("release"); err != nil {
		return err
	}
	return f.h.err("release", f.obj.release())
}

// Value returns the current value.
func (f *memSemFile) Value() (int, error) {
	if err := f.hd().check("getvalue"); err != nil {
		return 0, err
	}
	f.obj.mu.Lock()
	defer f.obj.mu.Unlock()
	return int(f.obj.value), nil
}

// Read waits until it can take one unit, then takes up to len(p) units
// without waiting more; it returns how many it took, one byte (set to 1)
// per unit, as the host's SemFile.Read.
func (f *memSemFile) Read(p []byte) (int, error) {
	if err := f.hd().check("read"); err != nil {
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
	if err := f.hd().check("write"); err != nil {
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
	if err := f.hd().check("setdeadline"); err != nil {
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
