//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && !(386 || arm || mips || mipsle)

package futex

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// futex is futex(2) on addr with op and val and the relative timeout ts
// (nil: none), for the ops that use no second word. On 64-bit machines
// futex takes struct __kernel_timespec, which Timespec is.
func futex(addr *uint32, op int, val uintptr, ts *Timespec) (uintptr, syscall.Errno) {
	r, _, e := syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), uintptr(op), val,
		uintptr(unsafe.Pointer(ts)), 0, 0)
	return r, e
}
