//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && (386 || arm || mips || mipsle)

package futex

// On 32-bit machines the futex system call that takes a timespec with
// 64-bit seconds (struct __kernel_timespec) is futex_time64 (Linux 5.1);
// the older futex takes 32-bit seconds and is missing from kernels built
// without CONFIG_COMPAT_32BIT_TIME. futex uses futex_time64, and the old
// call only where the kernel lacks the new one (ENOSYS), as glibc does.

import (
	"math"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// noTime64 is set once futex_time64 returned ENOSYS.
var noTime64 atomic.Bool

// futex is futex(2) on addr with op and val and the relative timeout ts
// (nil: none), for the ops that use no second word.
func futex(addr *uint32, op int, val uintptr, ts *Timespec) (uintptr, syscall.Errno) {
	if !noTime64.Load() {
		r, _, e := syscall.Syscall6(unix.SYS_FUTEX_TIME64, uintptr(unsafe.Pointer(addr)), uintptr(op), val,
			uintptr(unsafe.Pointer(ts)), 0, 0)
		if e != syscall.ENOSYS {
			return r, e
		}
		noTime64.Store(true)
	}
	var ts32 *unix.Timespec
	if ts != nil {
		// A relative timeout: beyond 68 years it is as good as none.
		ts32 = &unix.Timespec{Sec: int32(min(ts.Sec, math.MaxInt32)), Nsec: int32(ts.Nsec)}
	}
	r, _, e := syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), uintptr(op), val,
		uintptr(unsafe.Pointer(ts32)), 0, 0)
	return r, e
}
