//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package futex

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Wait sleeps while *addr == val, for at most timeout (timeout <= 0: no
// limit), with FUTEX_WAIT on the shared key of addr. It returns nil when
// woken (possibly spuriously), syscall.EAGAIN when *addr != val on entry,
// syscall.ETIMEDOUT when the timeout ran out and syscall.EINTR when a signal
// interrupted it; other errnos (EFAULT, EINVAL) are returned as they come.
// Callers re-check the word in every case.
func Wait(addr *uint32, val uint32, timeout time.Duration) error {
	var tsp *Timespec
	if timeout > 0 {
		ts := Timespec{Sec: int64(timeout / time.Second), Nsec: int64(timeout % time.Second)}
		tsp = &ts
	}
	if _, e := futex(addr, opWait, uintptr(val), tsp); e != 0 {
		return e
	}
	return nil
}

// Wake wakes up to n waiters sleeping on addr's shared key (FUTEX_WAKE)
// and returns how many it woke.
func Wake(addr *uint32, n int) (int, error) {
	r, e := futex(addr, opWake, uintptr(n), nil)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// WakePrivate wakes up to n waiters sleeping on addr's private key
// (FUTEX_WAKE|FUTEX_PRIVATE_FLAG): only threads of this process that sleep
// on addr as a private word, never a sleeper in another process.
func WakePrivate(addr *uint32, n int) (int, error) {
	r, e := futex(addr, opWake|PrivateFlag, uintptr(n), nil)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// Shared returns the futex_waitv entry for the 32-bit word at addr on its
// shared key, to sleep while it holds val: what FUTEX_WAIT without
// FUTEX_PRIVATE_FLAG sleeps on, so FUTEX_WAKE from any process ends it.
func Shared(addr *uint32, val uint32) Waitv {
	return Waitv{val: uint64(val), uaddr: uint64(uintptr(unsafe.Pointer(addr))), flags: waitvSize32}
}

// Private returns the futex_waitv entry for the 32-bit word at addr on its
// private key, ended by WakePrivate.
func Private(addr *uint32, val uint32) Waitv {
	return Waitv{val: uint64(val), uaddr: uint64(uintptr(unsafe.Pointer(addr))), flags: waitvSize32 | waitvPrivate}
}

// WaitMultiple sleeps until one of the words of ws is woken, with
// futex_waitv(2), or until the absolute CLOCK_MONOTONIC time deadline
// (nil: no limit). It returns the index of the entry that was woken,
// syscall.EAGAIN (without sleeping) when some word did not hold its value on
// entry, syscall.ETIMEDOUT, or another errno (ENOSYS where the kernel lacks
// futex_waitv: see WaitvSupported). A signal does not end it: Go's handlers
// are installed with SA_RESTART, and the kernel restarts the call.
//
// A wake-up of one entry dequeues the caller from all of them; when several
// are woken at once, only one index is reported, so callers re-check every
// word after any return.
func WaitMultiple(ws []Waitv, deadline *Timespec) (int, error) {
	if len(ws) == 0 || len(ws) > MaxWaitv {
		return 0, syscall.EINVAL
	}
	r, _, e := syscall.Syscall6(unix.SYS_FUTEX_WAITV, uintptr(unsafe.Pointer(&ws[0])), uintptr(len(ws)), 0,
		uintptr(unsafe.Pointer(deadline)), unix.CLOCK_MONOTONIC, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// Transient reports whether err, from Wait or WaitMultiple, only means the
// sleep ended without news (woken, the word differed, the time ran out, a
// signal): the caller re-checks and may sleep again. Any other error will
// not go away by retrying.
func Transient(err error) bool {
	switch err {
	case nil, syscall.EAGAIN, syscall.ETIMEDOUT, syscall.EINTR:
		return true
	}
	return false
}

var waitv struct {
	once sync.Once
	ok   bool
}

// WaitvSupported reports whether futex_waitv works here: Linux 5.16 or
// later, not refused by a seccomp filter, not under an emulator that lacks
// it (qemu-user 7.2 returns ENOSYS). It asks the kernel once, with a call
// the kernel rejects as invalid (EINVAL) when it knows the system call.
func WaitvSupported() bool {
	waitv.once.Do(func() {
		_, _, e := syscall.Syscall6(unix.SYS_FUTEX_WAITV, 0, 0, 0, 0, 0, 0)
		waitv.ok = e == syscall.EINVAL
	})
	return waitv.ok
}

// Monotonic returns the CLOCK_MONOTONIC time d from now, the form of
// deadline WaitMultiple takes; a negative d gives a time already past.
func Monotonic(d time.Duration) Timespec {
	var now unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &now); err != nil {
		return Timespec{} // the epoch of the clock: already past
	}
	ns := int64(now.Sec)*1e9 + int64(now.Nsec) + int64(d)
	if ns < 0 {
		ns = 0
	}
	return Timespec{Sec: ns / 1e9, Nsec: ns % 1e9}
}

// Sleepers returns how many threads sleep on addr's shared key (in Wait,
// or in WaitMultiple with a Shared entry for addr), in every process, as
// the kernel counts them, and wakes none: it is FUTEX_CMP_REQUEUE with none
// to wake and every sleeper requeued from addr onto addr itself. Tests use
// it to know that a waiter is asleep in the kernel, which neither /proc
// (the thread may sleep in a futex of the Go runtime; under emulation it
// shows the emulator's system calls) nor timing can tell. It returns
// syscall.EAGAIN when *addr changed during the call: ask again.
func Sleepers(addr *uint32) (int, error) {
	val := atomic.LoadUint32(addr)
	r, _, e := syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opCmpRequeue, 0,
		WakeAll, uintptr(unsafe.Pointer(addr)), uintptr(val))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
