//go:build !plan9

package sys

import (
	"os"
	"syscall"
)

// Errno is the type of a raw error number from the kernel.
type Errno = syscall.Errno

// The errnos portable code names.
const (
	EACCES    = syscall.EACCES
	EAGAIN    = syscall.EAGAIN
	EINTR     = syscall.EINTR
	EINVAL    = syscall.EINVAL
	EBADF     = syscall.EBADF
	EBUSY     = syscall.EBUSY
	EFAULT    = syscall.EFAULT
	EFBIG     = syscall.EFBIG
	ELOOP     = syscall.ELOOP
	EMFILE    = syscall.EMFILE
	EMSGSIZE  = syscall.EMSGSIZE
	ENODEV    = syscall.ENODEV
	ENOSPC    = syscall.ENOSPC
	EOVERFLOW = syscall.EOVERFLOW
	EPERM     = syscall.EPERM
)

// SignalNumber returns the number of a Unix signal; ok is false for any
// other os.Signal.
func SignalNumber(sig os.Signal) (n int, ok bool) {
	s, ok := sig.(syscall.Signal)
	return int(s), ok
}
