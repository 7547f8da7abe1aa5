package sys

import (
	"os"
	"syscall"
)

// Errno is the type of a raw error from the kernel (plan9 has error strings,
// not numbers).
type Errno = syscall.ErrorString

// The errnos portable code names, as the error strings Linux prints for them.
const (
	EACCES    = Errno("permission denied")
	EAGAIN    = Errno("resource temporarily unavailable")
	EINTR     = Errno("interrupted")            // syscall.EINTR's text on plan9
	EINVAL    = Errno("bad arg in system call") // syscall.EINVAL's text on plan9
	EBADF     = Errno("bad file descriptor")
	EBUSY     = Errno("no free devices") // syscall.EBUSY's text on plan9
	EFAULT    = Errno("bad address")
	EFBIG     = Errno("file too large")
	ELOOP     = Errno("too many levels of symbolic links")
	EMFILE    = Errno("too many open files")
	EMSGSIZE  = Errno("message too long")
	ENODEV    = Errno("no such device")
	ENOSPC    = Errno("no space left on device")
	EOVERFLOW = Errno("value too large for defined data type")
	EPERM     = Errno("operation not permitted")
)

// SignalNumber reports ok = false: plan9 has notes, not numbered signals.
func SignalNumber(os.Signal) (n int, ok bool) { return 0, false }
