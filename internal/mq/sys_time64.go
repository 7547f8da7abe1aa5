//go:build linux && (386 || arm || mips || mipsle)

package mq

// On 32-bit machines mq_timedsend and mq_timedreceive take a timespec with
// 32-bit seconds; their _time64 twins (Linux 5.1) take struct
// __kernel_timespec, and the old calls are missing from kernels built
// without CONFIG_COMPAT_32BIT_TIME. timed uses the _time64 calls, and the
// old ones only where the kernel lacks the new (ENOSYS), as glibc does.

import (
	"math"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	sysMqTimedsend    = unix.SYS_MQ_TIMEDSEND_TIME64
	sysMqTimedreceive = unix.SYS_MQ_TIMEDRECEIVE_TIME64
)

// old32 maps each _time64 call to the call with 32-bit seconds.
func old32(trap uintptr) uintptr {
	if trap == sysMqTimedsend {
		return unix.SYS_MQ_TIMEDSEND
	}
	return unix.SYS_MQ_TIMEDRECEIVE
}

// noTime64 is set once a _time64 call returned ENOSYS.
var noTime64 atomic.Bool

// pastDeadline32 is pastDeadline for the old calls.
var pastDeadline32 unix.Timespec

// timed makes the system call trap (sysMqTimedsend or sysMqTimedreceive)
// with the four arguments before the timeout and the absolute deadline ts
// (nil: none), through RawSyscall6 when raw.
func timed(trap uintptr, raw bool, a1, a2, a3, a4 uintptr, ts *Timespec) (uintptr, unix.Errno) {
	call := unix.Syscall6
	if raw {
		call = unix.RawSyscall6
	}
	if !noTime64.Load() {
		r, _, e := call(trap, a1, a2, a3, a4, uintptr(unsafe.Pointer(ts)), 0)
		if e != unix.ENOSYS {
			return r, e
		}
		noTime64.Store(true)
	}
	var ts32 *unix.Timespec
	switch {
	case ts == &pastDeadline:
		ts32 = &pastDeadline32
	case ts != nil:
		if ts.Sec > math.MaxInt32 || ts.Sec < math.MinInt32 {
			return 0, unix.EOVERFLOW // glibc's answer where only the old calls exist
		}
		ts32 = &unix.Timespec{Sec: int32(ts.Sec), Nsec: int32(ts.Nsec)}
	}
	r, _, e := call(old32(trap), a1, a2, a3, a4, uintptr(unsafe.Pointer(ts32)), 0)
	return r, e
}
