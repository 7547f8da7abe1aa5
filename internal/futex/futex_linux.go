package futex

import (
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
	var tsp *unix.Timespec
	if timeout > 0 {
		ts := unix.NsecToTimespec(int64(timeout))
		tsp = &ts
	}
	_, _, e := syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opWait, uintptr(val),
		uintptr(unsafe.Pointer(tsp)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Wake wakes up to n waiters sleeping on addr's shared key (FUTEX_WAKE)
// and returns how many it woke.
func Wake(addr *uint32, n int) (int, error) {
	r, _, e := syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opWake, uintptr(n), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// Sleepers returns how many threads sleep in Wait on addr's shared key, in
// every process, as the kernel counts them, and wakes none: it is
// FUTEX_CMP_REQUEUE with none to wake and every sleeper requeued from addr
// onto addr itself. Tests use it to know that a waiter is asleep in the
// kernel, which neither /proc (the thread may sleep in a futex of the Go
// runtime; under emulation it shows the emulator's system calls) nor
// timing can tell. It returns syscall.EAGAIN when *addr changed during the
// call: ask again.
func Sleepers(addr *uint32) (int, error) {
	val := atomic.LoadUint32(addr)
	r, _, e := syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opCmpRequeue, 0,
		WakeAll, uintptr(unsafe.Pointer(addr)), uintptr(val))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
