// This file holds SemFile, a POSIX named semaphore as a file: OpenSem,
// RemoveSem and the operations. The algorithm and the file format live in
// internal/sem, the futex system call in internal/futex.

package ipcfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// SemValueMax is the largest value a semaphore can hold: SEM_VALUE_MAX,
// posix_ipc's SEMAPHORE_VALUE_MAX (INT_MAX).
const SemValueMax = sem.ValueMax

// semSlice bounds one futex sleep, so a waiter re-checks its context,
// deadline and handle at least this often even if no wake-up reaches it.
const semSlice = 100 * time.Millisecond

// SemFile is an open named semaphore, glibc's /dev/shm/sem.NAME mapped
// into this process: C programs (sem_open), Python's posix_ipc and other
// SemFiles using the same name share its value and wake each other.
//
// Waiting (Acquire, Read) sleeps in a futex system call, which holds one
// OS thread per blocked goroutine for the duration: 200 goroutines blocked
// on semaphores are about 200 threads. The Go runtime stops the program
// beyond debug.SetMaxThreads (10000 by default); bound the number of
// concurrent waiters accordingly.
//
// A SemFile is safe for concurrent use. Every OpenSem makes its own
// mapping (glibc returns the same sem_t* for a repeated sem_open; here
// each handle is independent, and all of them are the same semaphore).
//
// Close a SemFile when done with it. A handle dropped without Close is not
// leaked: once the garbage collector finds it unreachable, a cleanup
// (runtime.AddCleanup) unmaps it and closes its descriptor, as os.File
// does; the semaphore's value is untouched.
type SemFile struct {
	name string // "/NAME"

	// mu guards the mapping: operations hold it for reading while they
	// use the descriptor or sleep on the word; Close takes it for writing
	// to close the descriptor once they have left.
	mu      sync.RWMutex
	closed  atomic.Bool
	m       *sem.Mapping    // unmapped by Close, or by cleanup if never closed
	cleanup runtime.Cleanup // closes m once the handle is unreachable
	// inflight counts lock-free operations (Release, the fast path of
	// Acquire) touching the mapping; Close unmaps only once it is zero.
	inflight atomic.Int32
	word     sem.Word
	waiters  atomic.Int32              // goroutines of this handle sleeping on the word
	rdl      atomic.Pointer[time.Time] // read deadline; nil for none
}

var _ Sem = (*SemFile)(nil)

// OpenSem opens the named semaphore name ("/name" or "name"), as sem_open
// and posix_ipc.Semaphore do. flag may hold os.O_CREATE (create it if it
// does not exist, with permission bits perm less the umask and value as
// its initial value) and os.O_EXCL (with os.O_CREATE: fail with an error
// matching fs.ErrExist if it exists). Other flags are ignored: a semaphore
// is always opened for reading and writing, so opening needs both
// permissions. value is ignored when the semaphore already exists; above
// SemValueMax it is an error (fs.ErrInvalid).
//
// Creation is atomic as in glibc: the complete semaphore is written to a
// temporary file in /dev/shm and linked to its name. A file under the name
// that is not a semaphore (a zero-length file, a FIFO, a directory) gives an
// error matching fs.ErrInvalid that says what it found, never a crash.
func OpenSem(name string, flag int, perm fs.FileMode, value uint32) (*SemFile, error) {
	n, err := kind.Sem.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if value > SemValueMax {
		return nil, &fs.PathError{Op: "open", Path: name, Err: kind.SemValueTooHigh(value, SemValueMax)}
	}
	m, err := sem.Open(kind.Sem.HostPath(n), flag&os.O_CREATE != 0, flag&os.O_EXCL != 0, uint32(perm.Perm()), value)
	if err != nil {
		if t, ok := sys.OpenRefused(kind.Sem.HostPath(n), err); ok {
			err = sem.NotSemaphore(t, 0)
		}
		return nil, pathError("open", name, explainNofile(err))
	}
	s := &SemFile{name: "/" + n, m: m, word: m.Word()}
	s.cleanup = runtime.AddCleanup(s, semCleanupMapping, m)
	return s, nil
}

// semCleanupMapping is the runtime.AddCleanup function of every SemFile: it
// unmaps the semaphore and closes its descriptor if Close has not. No
// method can be running (the handle is unreachable), and there is nobody
// to report an error to.
func semCleanupMapping(m *sem.Mapping) { m.Close() }

// RemoveSem removes the named semaphore name (sem_unlink). Open handles,
// here and in other processes, keep working; a later OpenSem with
// os.O_CREATE makes a new, unrelated semaphore.
func RemoveSem(name string) error {
	n, err := kind.Sem.Clean(name)
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return pathError("remove", name, sem.Unlink(kind.Sem.HostPath(n)))
}

// use checks the handle is open and holds it open: on success the caller
// must call s.mu.RUnlock when done. (Returning s.mu.RUnlock as a func
// value would cost an allocation per call.)
func (s *SemFile) use(op string) error {
	if s == nil {
		return &fs.PathError{Op: op, Path: "", Err: fs.ErrInvalid}
	}
	if s.closed.Load() {
		return &fs.PathError{Op: op, Path: s.name, Err: fs.ErrClosed}
	}
	s.mu.RLock()
	if s.closed.Load() {
		s.mu.RUnlock()
		return &fs.PathError{Op: op, Path: s.name, Err: fs.ErrClosed}
	}
	return nil
}

// Name returns the semaphore's name with its leading slash ("/name").
func (s *SemFile) Name() string {
	if s == nil {
		return ""
	}
	return s.name
}

// Acquire takes one unit, waiting while the value is zero (sem_wait, or
// sem_timedwait when ctx has a deadline; posix_ipc's acquire). It returns
// nil once it has taken a unit. It gives up, without taking a unit, when
// ctx is done (an error matching ctx.Err()), when the read deadline passes
// (os.ErrDeadlineExceeded) or when the handle is closed (fs.ErrClosed). A
// ctx already done or a deadline already passed fails even if a unit is
// available (as golang.org/x/sync/semaphore does; C's sem_timedwait would
// take it).
//
// While it waits it holds an OS thread (see SemFile). It sleeps in slices
// of at most 100ms, re-checking ctx, the deadline and the handle between
// them and never past a deadline; to end a wait at once, cancelling ctx,
// SetDeadline and Close wake every sleeper on the semaphore, in every
// process, and those that still find the value zero sleep again.
func (s *SemFile) Acquire(ctx context.Context) error {
	if s != nil && semNeverDone(ctx) && s.rdl.Load() == nil && s.enter() {
		took := s.word.TryWait()
		s.leave()
		if took {
			return nil // fast path: nothing can end the wait, a unit is there
		}
	}
	if err := s.use("acquire"); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	return s.acquire("acquire", ctx)
}

// acquire is Acquire for a handle in use.
func (s *SemFile) acquire(op string, ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := s.waitErr(ctx); err != nil {
		return &fs.PathError{Op: op, Path: s.name, Err: err}
	}
	if s.word.TryWait() {
		return nil
	}
	s.waiters.Add(1)
	defer s.waiters.Add(-1)
	if ctx.Done() != nil {
		// Wake the sleepers when ctx is cancelled, so this one notices at
		// once. A deadline needs no wake-up: every sleep ends by it.
		stop := context.AfterFunc(ctx, func() {
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				s.wakeAll()
			}
		})
		defer stop()
	}
	err := s.word.Wait(func() (time.Duration, error) {
		if err := s.waitErr(ctx); err != nil {
			return 0, err
		}
		d := semSlice
		if dl, ok := ctx.Deadline(); ok {
			d = min(d, time.Until(dl))
		}
		if rdl := s.rdl.Load(); rdl != nil {
			d = min(d, time.Until(*rdl))
		}
		return max(d, time.Microsecond), nil
	})
	if err != nil {
		return &fs.PathError{Op: op, Path: s.name, Err: err}
	}
	return nil
}

// waitErr returns why a wait must stop now, or nil.
func (s *SemFile) waitErr(ctx context.Context) error {
	if s.closed.Load() {
		return fs.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dl, hasDL := ctx.Deadline()
	rdl := s.rdl.Load()
	if !hasDL && rdl == nil {
		return nil // no clock to read: time.Now is most of a fast-path acquire
	}
	now := time.Now()
	if hasDL && !now.Before(dl) {
		return context.DeadlineExceeded
	}
	if rdl != nil && !now.Before(*rdl) {
		return os.ErrDeadlineExceeded
	}
	return nil
}

// wakeAll wakes the sleepers on the semaphore (in every process: the
// others treat it as a spurious wake-up) if the mapping is still there, so
// this handle's waiters re-check why they wait.
func (s *SemFile) wakeAll() {
	if !s.mu.TryRLock() {
		return // being closed: Close wakes them
	}
	defer s.mu.RUnlock()
	if s.m.Mem != nil && s.waiters.Load() > 0 {
		s.word.WakeAll()
	}
}

// TryAcquire takes one unit if the value is not zero, without waiting
// (sem_trywait; posix_ipc's acquire(0)); otherwise it fails with
// ErrWouldBlock.
func (s *SemFile) TryAcquire() error {
	if err := s.use("acquire"); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if !s.word.TryWait() {
		return &fs.PathError{Op: "acquire", Path: s.name, Err: ErrWouldBlock}
	}
	return nil
}

// Release adds one unit and wakes a waiter, in any process (sem_post;
// posix_ipc's release). At SemValueMax it fails with syscall.EOVERFLOW and
// leaves the value unchanged. It never blocks.
func (s *SemFile) Release() error {
	if s == nil {
		return &fs.PathError{Op: "release", Path: "", Err: fs.ErrInvalid}
	}
	if !s.enter() {
		return &fs.PathError{Op: "release", Path: s.name, Err: fs.ErrClosed}
	}
	err := s.word.Post()
	s.leave()
	if err != nil {
		return pathError("release", s.name, semExplainPost(err))
	}
	return nil
}

// enter marks a lock-free operation on the mapping as started; it reports
// false, having started nothing, once the handle is closed. Close sets
// closed before it waits for inflight to drain, so an operation that
// enters after that sees closed and never touches the mapping.
func (s *SemFile) enter() bool {
	s.inflight.Add(1)
	if s.closed.Load() {
		s.inflight.Add(-1)
		return false
	}
	return true
}

// leave marks a lock-free operation as finished.
func (s *SemFile) leave() { s.inflight.Add(-1) }

// semNeverDone reports whether ctx can never be cancelled, without an
// interface call for the common context.Background and context.TODO.
func semNeverDone(ctx context.Context) bool {
	return ctx == nil || ctx == context.Background() || ctx == context.TODO() || ctx.Done() == nil
}

// Value returns the semaphore's current value (sem_getvalue; posix_ipc's
// value). Waiters are not counted: the value is never negative.
func (s *SemFile) Value() (int, error) {
	if err := s.use("value"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	return int(s.word.Value()), nil
}

// Do acquires a unit, runs fn and releases the unit, even if fn panics:
// the shape of posix_ipc's "with sem:" block, for a semaphore used as a
// lock. It returns Acquire's error without running fn, or fn's error and
// Release's error joined (errors.Join). A nil fn gives fs.ErrInvalid and
// takes nothing.
func (s *SemFile) Do(ctx context.Context, fn func() error) (err error) {
	if fn == nil {
		return &fs.PathError{Op: "do", Path: s.Name(), Err: fs.ErrInvalid}
	}
	if err := s.Acquire(ctx); err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, s.Release())
	}()
	return fn()
}

// Read waits until it can take one unit (as Acquire does, bounded by the
// read deadline), then takes up to len(p)-1 more without waiting, and
// returns how many it took, writing a 1 byte into p for each. So
// io.CopyN(io.Discard, s, 3) acquires three units. An empty p takes
// nothing and returns 0, nil.
func (s *SemFile) Read(p []byte) (int, error) {
	if err := s.use("read"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if len(p) == 0 {
		return 0, nil
	}
	if err := s.acquire("read", context.Background()); err != nil {
		return 0, err
	}
	p[0] = 1
	n := 1
	for n < len(p) && s.word.TryWait() {
		p[n] = 1
		n++
	}
	return n, nil
}

// Write releases len(p) units, whatever the bytes are, and returns how many
// it released: fewer, with the error, when the value reached SemValueMax
// (syscall.EOVERFLOW). It never blocks.
func (s *SemFile) Write(p []byte) (int, error) {
	if err := s.use("write"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	for i := range p {
		if err := s.word.Post(); err != nil {
			return i, pathError("write", s.name, semExplainPost(err))
		}
	}
	return len(p), nil
}

// SetDeadline sets the deadline for waits in Read and Acquire, including
// waits already in progress; a zero t means none. After it, waits fail
// with os.ErrDeadlineExceeded. Releases never wait.
func (s *SemFile) SetDeadline(t time.Time) error { return s.setDeadline("setdeadline", t) }

// SetReadDeadline is SetDeadline: only reads (acquisitions) ever wait.
func (s *SemFile) SetReadDeadline(t time.Time) error { return s.setDeadline("setreaddeadline", t) }

// SetWriteDeadline does nothing, since releases never wait; it is there
// for io interfaces that expect it.
func (s *SemFile) SetWriteDeadline(t time.Time) error {
	if err := s.use("setwritedeadline"); err != nil {
		return err
	}
	s.mu.RUnlock()
	return nil
}

func (s *SemFile) setDeadline(op string, t time.Time) error {
	if err := s.use(op); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if t.IsZero() {
		s.rdl.Store(nil)
	} else {
		s.rdl.Store(&t)
	}
	if s.waiters.Load() > 0 {
		s.word.WakeAll()
	}
	return nil
}

// Close closes the handle (sem_close); the semaphore lives on. Waits in
// progress on this handle end promptly with fs.ErrClosed; once they and
// any Release in progress have left, the mapping is unmapped and the
// descriptor closed. Using the handle afterwards, or closing it again,
// gives fs.ErrClosed.
func (s *SemFile) Close() error {
	if s == nil {
		return &fs.PathError{Op: "close", Path: "", Err: fs.ErrInvalid}
	}
	if !s.closed.CompareAndSwap(false, true) {
		return &fs.PathError{Op: "close", Path: s.name, Err: fs.ErrClosed}
	}
	if s.waiters.Load() > 0 {
		s.word.WakeAll() // the mapping stays until mu is ours
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.inflight.Load() != 0 {
		runtime.Gosched() // a Release or TryWait that entered before closed was set
	}
	s.cleanup.Stop()
	return pathError("close", s.name, s.m.Close())
}

// SemTimeoutSupported reports whether Acquire can wait with a
// deadline (posix_ipc's SEMAPHORE_TIMEOUT_SUPPORTED): true on Linux.
const SemTimeoutSupported = runtime.GOOS == "linux"

// SemValueSupported reports whether Value works (posix_ipc's
// SEMAPHORE_VALUE_SUPPORTED): true on Linux.
const SemValueSupported = runtime.GOOS == "linux"

// Stat returns the semaphore's FileInfo: the name without slash, mode
// fs.ModeIrregular plus its permission bits, Size its value (the number
// of bytes Read could take now), the file's modification time, and Sys()
// a SemInfo with the value and the *syscall.Stat_t of /dev/shm/sem.NAME.
func (s *SemFile) Stat() (fs.FileInfo, error) {
	if err := s.use("stat"); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	st, err := s.m.Stat()
	if err != nil {
		return nil, pathError("stat", s.name, err)
	}
	return semInfo(s.name[1:], st, int(s.word.Value())), nil
}

func semInfo(name string, st sem.Info, value int) fs.FileInfo {
	return kind.Sem.Info(name, int64(value), st.Perm, st.ModTime, SemInfo{Value: value, Stat: st.Sys})
}

// statSem returns the FileInfo of the semaphore with the clean name n, as
// SemFile.Stat does, without mapping it: the value is read with pread. A
// semaphore this process may not read has value 0.
func statSem(n string) (fs.FileInfo, error) {
	st, value, _, err := sem.Peek(kind.Sem.HostPath(n))
	if err != nil {
		return nil, err
	}
	return semInfo(n, st, int(value)), nil
}

// semExplainPost names the limit behind a failed post: at SemValueMax the
// error still satisfies errors.Is(err, syscall.EOVERFLOW).
func semExplainPost(err error) error {
	if err == sys.EOVERFLOW {
		return kind.SemValueAtMax(SemValueMax)
	}
	return err
}
