package sem

import (
	"context"
	"io/fs"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// Handle is one open handle of a semaphore: what a SemFile embeds. The
// lock-free operations (Release, TryAcquire, Acquire while a unit is
// there) touch only the semaphore's word and one load of the handle's
// state; waits go through the Object's engine.
//
// A Handle must be made with Init and tied to its owner with Track, and
// must not be copied afterwards.
type Handle struct {
	// Word is the semaphore itself; valid while the handle is reachable.
	Word Word

	state    atomic.Uint32             // stateClosed | stateDeadline
	deadline atomic.Pointer[time.Time] // read deadline, when stateDeadline is set
	obj      *Object
	ref      *handleRef
}

const (
	stateClosed   = 1 << iota // Close was called
	stateDeadline             // deadline is set
)

// handleRef is what a handle's cleanup gives back: its open count (unless
// Close gave it back already) and its reference to the mapping. It is a
// separate allocation so that the cleanup does not keep the handle alive.
type handleRef struct {
	obj    *Object
	closed atomic.Bool
}

func (r *handleRef) release() {
	if !r.closed.Swap(true) {
		r.obj.closeHandle()
	}
	r.obj.unref()
}

// Init makes h a handle of o, taking over the open handle and the
// reference Open counted.
func (h *Handle) Init(o *Object) {
	h.Word = o.word
	h.obj = o
	h.ref = &handleRef{obj: o}
}

// Track ties the handle h, which lives inside *owner, to owner's lifetime:
// once owner is unreachable, a cleanup (runtime.AddCleanup) closes the
// handle if Close has not, and drops its reference to the mapping. Until
// then the mapping stays, even after Close, so that an operation racing
// Close never touches unmapped memory.
func Track[T any](owner *T, h *Handle) {
	runtime.AddCleanup(owner, (*handleRef).release, h.ref)
}

// Object returns the semaphore h is a handle of.
func (h *Handle) Object() *Object { return h.obj }

// Closed reports whether Close was called.
func (h *Handle) Closed() bool { return h.state.Load()&stateClosed != 0 }

// FastRelease adds one unit, when no waiter is registered and the handle
// is open, in one attempt, and reports whether it did; when it did not,
// Release does the whole job. Inlined into the caller, it makes an
// uncontended release one atomic load of the handle's state and one
// compare-and-swap of the semaphore.
func (h *Handle) FastRelease() bool {
	ok := h.state.Load() == 0 && h.Word.tryPost()
	runtime.KeepAlive(h)
	return ok
}

// FastAcquire takes one unit, when one is there and the handle is open
// with no deadline, in one attempt, and reports whether it did; when it did
// not, Acquire does the whole job. It is for an Acquire whose context can
// never be done (ctx.Done() == nil): another context must be checked first,
// which Acquire does.
func (h *Handle) FastAcquire() bool {
	ok := h.state.Load() == 0 && h.Word.tryWaitOnce()
	runtime.KeepAlive(h)
	return ok
}

// Acquire takes one unit, waiting while the value is zero, until ctx is
// done (ctx.Err()), the deadline passes (os.ErrDeadlineExceeded, or
// context.DeadlineExceeded for ctx's) or the handle is closed
// (fs.ErrClosed). A reason to stop that holds already wins over a unit that
// is there.
func (h *Handle) Acquire(ctx context.Context) error {
	if h.state.Load() == 0 && (ctx == nil || ctx.Done() == nil) && h.Word.TryWait() {
		runtime.KeepAlive(h)
		return nil // fast path: nothing can end the wait, and a unit is there
	}
	err := h.acquire(ctx)
	runtime.KeepAlive(h)
	return err
}

func (h *Handle) acquire(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := h.stopReason(ctx); err != nil {
		return err
	}
	if h.Word.TryWait() {
		return nil
	}
	return h.obj.wait(h, ctx)
}

// TryAcquire takes one unit if the value is not zero, and reports whether
// it did; fs.ErrClosed after Close.
func (h *Handle) TryAcquire() (bool, error) {
	if h.state.Load()&stateClosed != 0 {
		return false, fs.ErrClosed
	}
	ok := h.Word.TryWait()
	runtime.KeepAlive(h)
	return ok, nil
}

// Release adds one unit and wakes a waiter (sem_post): fs.ErrClosed after
// Close, syscall.EOVERFLOW at ValueMax.
func (h *Handle) Release() error {
	if h.state.Load()&stateClosed != 0 {
		return fs.ErrClosed
	}
	owed, err := h.Word.post()
	if owed {
		h.obj.posted()
	}
	runtime.KeepAlive(h)
	return err
}

// Value returns the value; fs.ErrClosed after Close.
func (h *Handle) Value() (uint32, error) {
	if h.state.Load()&stateClosed != 0 {
		return 0, fs.ErrClosed
	}
	v := h.Word.Value()
	runtime.KeepAlive(h)
	return v, nil
}

// Waiters returns the semaphore's nwaiters: the waiters registered in all
// processes, one per waiting goroutine here (and stale ones left by killed
// processes).
func (h *Handle) Waiters() uint32 {
	n := h.Word.Waiters()
	runtime.KeepAlive(h)
	return n
}

// SetDeadline sets the deadline of waits (zero: none), including waits in
// progress, which re-check it at once.
func (h *Handle) SetDeadline(t time.Time) error {
	if h.state.Load()&stateClosed != 0 {
		return fs.ErrClosed
	}
	if t.IsZero() {
		h.state.And(^uint32(stateDeadline))
		h.deadline.Store(nil)
	} else {
		h.deadline.Store(&t)
		h.state.Or(stateDeadline)
	}
	h.obj.interrupt(h)
	return nil
}

// Close closes the handle: waits in progress on it end with fs.ErrClosed,
// and every later operation fails with fs.ErrClosed. When it was the last
// open handle of the semaphore in this process, the descriptor is closed;
// the mapping goes once no handle that refers to it is reachable (Track).
func (h *Handle) Close() error {
	for {
		s := h.state.Load()
		if s&stateClosed != 0 {
			return fs.ErrClosed
		}
		if h.state.CompareAndSwap(s, s|stateClosed) {
			break
		}
	}
	h.obj.interrupt(h)
	if h.ref.closed.Swap(true) {
		return nil
	}
	return h.obj.closeHandle()
}

// stopReason returns why a wait on h must stop now, or nil.
func (h *Handle) stopReason(ctx context.Context) error {
	s := h.state.Load()
	if s&stateClosed != 0 {
		return fs.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dl, hasDL := ctx.Deadline()
	if !hasDL && s&stateDeadline == 0 {
		return nil // no clock to read
	}
	now := time.Now()
	if hasDL && !now.Before(dl) {
		return context.DeadlineExceeded
	}
	if rdl := h.deadline.Load(); s&stateDeadline != 0 && rdl != nil && !now.Before(*rdl) {
		return os.ErrDeadlineExceeded
	}
	return nil
}

// waitDeadline returns the earlier of ctx's deadline and h's, if any.
func (h *Handle) waitDeadline(ctx context.Context) (time.Time, bool) {
	dl, ok := ctx.Deadline()
	if rdl := h.deadline.Load(); h.state.Load()&stateDeadline != 0 && rdl != nil && (!ok || rdl.Before(dl)) {
		return *rdl, true
	}
	return dl, ok
}
