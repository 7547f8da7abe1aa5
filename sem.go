// This file holds SemFile, a POSIX named semaphore as a file: OpenSem,
// RemoveSem and the operations. The algorithm, the file format, the
// per-process table of semaphores and the waiting engine live in
// internal/sem, the futex system calls in internal/futex.

package ipcfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"runtime"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// SemValueMax is the largest value a semaphore can hold: SEM_VALUE_MAX,
// posix_ipc's SEMAPHORE_VALUE_MAX (INT_MAX).
const SemValueMax = sem.ValueMax

// SemFile is an open named semaphore, glibc's /dev/shm/sem.NAME mapped
// into this process: C programs (sem_open), Python's posix_ipc and other
// SemFiles using the same name share its value and wake each other.
//
// Waiting (Acquire, Read) does not hold an OS thread per goroutine: waiting
// goroutines queue in Go, and a few threads per process sleep in the
// kernel on their behalf (one futex_waitv thread watches up to 127
// semaphores; where futex_waitv is missing, one thread per semaphore with
// waiters, which may outlive its last waiter by up to a second). 10,000
// goroutines blocked on 100 semaphores use a handful of threads; with no
// waiter, none. To other processes every waiting goroutine is an ordinary
// waiter of glibc's protocol. Cancelling a wait (its context, SetDeadline,
// Close) ends it at once and wakes nothing in other processes.
//
// A SemFile is safe for concurrent use. As in glibc, a process maps each
// semaphore once: every handle of the same semaphore (the same file in
// /dev/shm) shares one mapping, and one descriptor kept for Stat.
//
// Close a SemFile when done with it: waits on it end with fs.ErrClosed,
// and the shared descriptor is closed with the last open handle. The
// mapping (one page) stays until no handle referring to it, closed or not,
// is reachable, so at most one mapping per distinct semaphore that a
// reachable handle refers to: a cleanup (runtime.AddCleanup) drops it, as
// it closes handles dropped without Close. The semaphore's value is never
// touched by either.
type SemFile struct {
	name string // "/NAME"
	h    sem.Handle
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
// file in /dev/shm that has no name yet (O_TMPFILE) and then linked to its
// name, so a process killed while creating leaves nothing behind (glibc's
// named temporary file is the fallback where O_TMPFILE is refused). A file
// under the name that is not a semaphore (a zero-length file, a FIFO, a
// directory) gives an error matching fs.ErrInvalid that says what it found,
// never a crash.
func OpenSem(name string, flag int, perm fs.FileMode, value uint32) (*SemFile, error) {
	n, err := kind.Sem.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if value > SemValueMax {
		return nil, &fs.PathError{Op: "open", Path: name, Err: kind.SemValueTooHigh(value, SemValueMax)}
	}
	o, err := sem.Open(kind.Sem.HostPath(n), flag&os.O_CREATE != 0, flag&os.O_EXCL != 0, uint32(perm.Perm()), value)
	if err != nil {
		if t, ok := sys.OpenRefused(kind.Sem.HostPath(n), err); ok {
			err = sem.NotSemaphore(t, 0)
		}
		return nil, pathError("open", name, explainNofile(err))
	}
	s := &SemFile{name: "/" + n}
	s.h.Init(o)
	sem.Track(s, &s.h)
	return s, nil
}

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

// semErr wraps err from an operation on s, or returns nil.
func (s *SemFile) semErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: s.name, Err: err}
}

// Name returns the name the semaphore was opened by, which its errors carry
// too: the POSIX name with its leading slash ("/name") when opened with
// OpenSem, as posix_ipc's name attribute; the namespace path ("sem/name")
// when opened through a Namespace by path (OpenFile, CreateTemp), as
// os.File's Name.
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
// ctx already done or a deadline already passed fails before trying, even
// if a unit is available (Go's rule for every wait in this package, as
// golang.org/x/sync/semaphore and net.Conn do; C's sem_timedwait would take
// it). For posix_ipc's acquire(timeout=0), use TryAcquire.
//
// A waiting goroutine holds no OS thread of its own (see SemFile), and
// never polls: cancelling ctx, the deadline, SetDeadline and Close end the
// wait at once, without waking any other waiter in any process. A unit
// taken for a goroutine that gave up at the same moment is given back.
func (s *SemFile) Acquire(ctx context.Context) error {
	if s != nil && (ctx == nil || ctx.Done() == nil) && s.h.FastAcquire() {
		return nil
	}
	return s.acquire(ctx)
}

func (s *SemFile) acquire(ctx context.Context) error {
	if s == nil {
		return &fs.PathError{Op: "acquire", Path: "", Err: fs.ErrInvalid}
	}
	return s.semErr("acquire", s.h.Acquire(ctx))
}

// TryAcquire takes one unit if the value is not zero, without waiting
// (sem_trywait; posix_ipc's acquire(0)); otherwise it fails with
// ErrWouldBlock.
func (s *SemFile) TryAcquire() error {
	if s == nil {
		return &fs.PathError{Op: "acquire", Path: "", Err: fs.ErrInvalid}
	}
	ok, err := s.h.TryAcquire()
	if err == nil && !ok {
		err = ErrWouldBlock
	}
	return s.semErr("acquire", err)
}

// Release adds one unit and wakes a waiter, in any process (sem_post;
// posix_ipc's release); when goroutines of this process wait on the
// semaphore, the unit goes straight to the one waiting longest. At
// SemValueMax it fails with syscall.EOVERFLOW and leaves the value
// unchanged. It never blocks.
func (s *SemFile) Release() error {
	if s != nil && s.h.FastRelease() {
		return nil
	}
	return s.release()
}

func (s *SemFile) release() error {
	if s == nil {
		return &fs.PathError{Op: "release", Path: "", Err: fs.ErrInvalid}
	}
	if err := s.h.Release(); err != nil {
		return pathError("release", s.name, semExplainPost(err))
	}
	return nil
}

// Value returns the semaphore's current value (sem_getvalue; posix_ipc's
// value). Waiters are not counted: the value is never negative.
func (s *SemFile) Value() (int, error) {
	if s == nil {
		return 0, &fs.PathError{Op: "value", Path: "", Err: fs.ErrInvalid}
	}
	v, err := s.h.Value()
	return int(v), s.semErr("value", err)
}

// Do acquires a unit, runs fn and releases the unit, even if fn panics:
// the shape of posix_ipc's "with sem:" block, for a semaphore used as a
// lock. It returns Acquire's error without running fn (so a ctx already
// done or a deadline already past runs nothing), or fn's error and
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
// read deadline; one already past fails before trying), then takes up to
// len(p)-1 more without waiting, and returns how many it took, writing a 1
// byte into p for each. So io.CopyN(io.Discard, s, 3) acquires three units.
// An empty p takes nothing and returns 0, nil.
func (s *SemFile) Read(p []byte) (int, error) {
	if s == nil {
		return 0, &fs.PathError{Op: "read", Path: "", Err: fs.ErrInvalid}
	}
	if s.h.Closed() {
		return 0, s.semErr("read", fs.ErrClosed)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := s.h.Acquire(context.Background()); err != nil {
		return 0, s.semErr("read", err)
	}
	p[0] = 1
	n := 1
	for n < len(p) {
		if ok, _ := s.h.TryAcquire(); !ok {
			break
		}
		p[n] = 1
		n++
	}
	return n, nil
}

// Write releases len(p) units, whatever the bytes are, and returns how many
// it released: fewer, with the error, when the value reached SemValueMax
// (syscall.EOVERFLOW). It never blocks.
func (s *SemFile) Write(p []byte) (int, error) {
	if s == nil {
		return 0, &fs.PathError{Op: "write", Path: "", Err: fs.ErrInvalid}
	}
	if s.h.Closed() {
		return 0, s.semErr("write", fs.ErrClosed)
	}
	for i := range p {
		if err := s.h.Release(); err != nil {
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
	if s == nil {
		return &fs.PathError{Op: "setwritedeadline", Path: "", Err: fs.ErrInvalid}
	}
	if s.h.Closed() {
		return s.semErr("setwritedeadline", fs.ErrClosed)
	}
	return nil
}

func (s *SemFile) setDeadline(op string, t time.Time) error {
	if s == nil {
		return &fs.PathError{Op: op, Path: "", Err: fs.ErrInvalid}
	}
	return s.semErr(op, s.h.SetDeadline(t))
}

// Close closes the handle (sem_close); the semaphore lives on. Waits in
// progress on this handle end promptly with fs.ErrClosed. The descriptor
// shared by this process's handles of the semaphore is closed with the
// last of them; the mapping stays until no handle that refers to it is
// reachable (see SemFile), so operations racing Close never fault. Using
// the handle afterwards, or closing it again, gives fs.ErrClosed.
func (s *SemFile) Close() error {
	if s == nil {
		return &fs.PathError{Op: "close", Path: "", Err: fs.ErrInvalid}
	}
	return pathError("close", s.name, s.h.Close())
}

// SemTimeoutSupported reports whether Acquire can wait with a
// deadline (posix_ipc's SEMAPHORE_TIMEOUT_SUPPORTED): true on Linux.
const SemTimeoutSupported = runtime.GOOS == "linux"

// SemValueSupported reports whether Value works (posix_ipc's
// SEMAPHORE_VALUE_SUPPORTED): true on Linux.
const SemValueSupported = runtime.GOOS == "linux"

// Stat returns the semaphore's FileInfo, as the namespace's Stat does: the
// name without slash, a regular file (as /dev/shm/sem.NAME is) with its
// permission bits, Size the length of its status text (what opening it to
// look, with fs.FS's Open, reads; see SemInfo.Status), the file's
// modification time, and Sys() a SemInfo with the value and the
// *syscall.Stat_t of /dev/shm/sem.NAME.
func (s *SemFile) Stat() (fs.FileInfo, error) {
	if s == nil {
		return nil, &fs.PathError{Op: "stat", Path: "", Err: fs.ErrInvalid}
	}
	st, state, err := s.h.Stat()
	if err != nil {
		return nil, pathError("stat", s.name, err)
	}
	return semInfo(path.Base(s.name), st, state), nil
}

func semInfo(name string, st sem.Info, state sem.State) fs.FileInfo {
	info := SemInfo{Value: int(state.Value), Waiters: int(state.Waiters), Stat: st.Sys}
	return kind.Sem.StatusInfo(name, st.Perm, st.ModTime, info)
}

// statSem returns the FileInfo of the semaphore with the clean name n, as
// SemFile.Stat does, without mapping it: the value is read with pread. A
// semaphore this process may not read has value 0.
func statSem(n string) (fs.FileInfo, error) {
	st, state, _, err := sem.Peek(kind.Sem.HostPath(n))
	if err != nil {
		return nil, err
	}
	return semInfo(n, st, state), nil
}

// semExplainPost names the limit behind a failed post: at SemValueMax the
// error still satisfies errors.Is(err, syscall.EOVERFLOW).
func semExplainPost(err error) error {
	if err == sys.EOVERFLOW {
		return kind.SemValueAtMax(SemValueMax)
	}
	return err
}
