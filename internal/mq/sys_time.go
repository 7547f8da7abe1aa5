//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && !(386 || arm || mips || mipsle)

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
// with the absolute deadline ts (nil: none); see syscall6.
func timed(trap uintptr, raw bool, fd int, buf unsafe.Pointer, n int, prio uint, prioOut *uint32, ts *Timespec) (uintptr, unix.Errno) {
	return syscall6(trap, raw, fd, buf, n, prio, prioOut, unsafe.Pointer(ts))
}
