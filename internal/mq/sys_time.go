//go:build linux && !(386 || arm || mips || mipsle)

package mq

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// On 64-bit machines mq_timedsend and mq_timedreceive take struct
// __kernel_timespec, which Timespec is.
const (
	sysMqTimedsend    = unix.SYS_MQ_TIMEDSEND
	sysMqTimedreceive = unix.SYS_MQ_TIMEDRECEIVE
)

// timed makes the system call trap (sysMqTimedsend or sysMqTimedreceive)
// with the four arguments before the timeout and the absolute deadline ts
// (nil: none), through RawSyscall6 when raw.
func timed(trap uintptr, raw bool, a1, a2, a3, a4 uintptr, ts *Timespec) (uintptr, unix.Errno) {
	if raw {
		r, _, e := unix.RawSyscall6(trap, a1, a2, a3, a4, uintptr(unsafe.Pointer(ts)), 0)
		return r, e
	}
	r, _, e := unix.Syscall6(trap, a1, a2, a3, a4, uintptr(unsafe.Pointer(ts)), 0)
	return r, e
}
