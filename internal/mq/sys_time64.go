//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && (386 || arm || mips || mipsle)

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
// with the absolute deadline ts (nil: none); see syscall6.
func timed(trap uintptr, raw bool, fd int, buf unsafe.Pointer, n int, prio uint, prioOut *uint32, ts *Timespec) (uintptr, unix.Errno) {
	if !noTime64.Load() {
		r, e := syscall6(trap, raw, fd, buf, n, prio, prioOut, unsafe.Pointer(ts))
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
	return syscall6(old32(trap), raw, fd, buf, n, prio, prioOut, unsafe.Pointer(ts32))
}
