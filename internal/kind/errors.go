package kind

import (
	"fmt"
	"io/fs"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/sys"
)

// The errors the host and its twin give for the same mistakes, with the
// same words. They go inside an *fs.PathError.

// paramError is an invalid argument; its message names the parameter.
// errors.Is holds for both fs.ErrInvalid and syscall.EINVAL.
type paramError struct{ msg string }

func (e *paramError) Error() string   { return "invalid argument: " + e.msg }
func (e *paramError) Unwrap() []error { return []error{fs.ErrInvalid, syscall.EINVAL} }

// InvalidParam returns an invalid-argument error whose message is format
// applied to args.
func InvalidParam(format string, args ...any) error {
	return &paramError{fmt.Sprintf(format, args...)}
}

// limitError is a limit refusing an operation: it names the limit and how
// to raise it, and unwraps to the errno the kernel gives.
type limitError struct {
	msg   string
	errno sys.Errno
}

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return e.errno }

// Limit returns the error for a limit that refused an operation with errno:
// its message is format applied to args, and errors.Is(err, errno) holds.
func Limit(errno sys.Errno, format string, args ...any) error {
	return &limitError{fmt.Sprintf(format, args...), errno}
}

// NegativeOffset is the error for an offset below 0.
func NegativeOffset(off int64) error { return InvalidParam("offset %d is negative", off) }

// NegativeSize is the error for a size below 0.
func NegativeSize(size int64) error { return InvalidParam("size %d is negative", size) }

// BadWhence is the error of a Seek with an unknown whence.
func BadWhence(whence int) error {
	return InvalidParam("whence %d is not io.SeekStart, io.SeekCurrent or io.SeekEnd", whence)
}

// SeekOutOfRange is the error of a Seek to before 0 or past MaxInt64.
func SeekOutOfRange(offset, base int64) error {
	return InvalidParam("offset %d from %d is outside 0..MaxInt64", offset, base)
}

// PriorityTooHigh is the error for a message priority above max
// (ipcfs.MqPriorityMax).
func PriorityTooHigh(prio, max uint) error {
	return InvalidParam("priority %d is above MqPriorityMax (%d)", prio, max)
}

// NegativeAttr is the error for a queue attribute below 0; field is
// "MaxMessages" or "MessageSize".
func NegativeAttr(field string, v int64) error {
	return InvalidParam("attr.%s %d is negative", field, v)
}

// MessageTooLong is the error for a message longer than the queue's
// message size; errors.Is(err, syscall.EMSGSIZE) holds.
func MessageTooLong(n int, size int64) error {
	return Limit(sys.EMSGSIZE, "message of %d bytes is longer than the queue's message size (%d bytes)", n, size)
}

// NilNotify is the error of Notify with a nil callback.
func NilNotify() error { return InvalidParam("fn is nil (use CancelNotify to cancel)") }

// SemValueTooHigh is the error for a new semaphore's value above max
// (ipcfs.SemValueMax).
func SemValueTooHigh(value, max uint32) error {
	return InvalidParam("value %d is above SemValueMax (%d)", value, max)
}

// SemValueAtMax is the error of a release at max (ipcfs.SemValueMax);
// errors.Is(err, syscall.EOVERFLOW) holds.
func SemValueAtMax(max uint32) error {
	return Limit(sys.EOVERFLOW, "value is at SemValueMax (%d, SEM_VALUE_MAX): acquire before releasing more", max)
}

// MqAttrTooLarge is the error for a new queue's attribute above its limit:
// what is "max messages" or "message size", limit names the limit, and hint
// (if not empty) says how to raise it. errors.Is(err, syscall.EINVAL) holds,
// as for the kernel's refusal.
func MqAttrTooLarge(what string, v, max int64, limit, hint string) error {
	msg := fmt.Sprintf("%s %d exceeds the limit %d of %s", what, v, max, limit)
	if hint != "" {
		msg += " (" + hint + ")"
	}
	return Limit(sys.EINVAL, "%s", msg)
}

// The kernel's hard limits on a queue's attributes (HARD_MSGMAX and
// HARD_MSGSIZEMAX): fs.mqueue.msg_max and msgsize_max cannot be set above
// them, and CAP_SYS_RESOURCE lifts the sysctl limits only up to them.
const (
	MqHardMaxMessages = 65536
	MqHardMessageSize = 16 << 20
)

// MqRaiseHint says how to allow a queue attribute of v whose limit is the
// sysctl fs.mqueue.sysctl, hard at most: the sysctl to run, or, past the
// hard limit, that no setting allows it.
func MqRaiseHint(sysctl string, v, hard int64) string {
	if v > hard {
		return fmt.Sprintf("%d is above the kernel's hard limit %d, which no setting raises", v, hard)
	}
	return fmt.Sprintf("raise it as root: sysctl fs.mqueue.%s=%d", sysctl, v)
}

// MqAttrOrDefault returns a new queue's attribute: the requested value v,
// or for v == 0 the default, lowered to the limit when above it, as the
// kernel does with msg_default and msgsize_default.
func MqAttrOrDefault(v, def, limit int64) int64 {
	if v != 0 {
		return v
	}
	return min(def, limit)
}

// NilHandle is the error of a call on a nil handle: fs.ErrInvalid, as os
// gives for a nil *os.File.
func NilHandle(op string) error { return &fs.PathError{Op: op, Path: "", Err: fs.ErrInvalid} }

// IfClosed returns the error of a call on the handle name when closed is
// true (fs.ErrClosed), else nil.
func IfClosed(op, name string, closed bool) error {
	if closed {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrClosed}
	}
	return nil
}

// FileType names the type of file mode as messages say it: "a directory",
// "a FIFO", "a socket", "a character device", ...
func FileType(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	}
	return "an irregular file"
}

// notObjectError is the error for a host file that is not an object.
type notObjectError struct{ msg string }

func (e *notObjectError) Error() string { return e.msg }
func (e *notObjectError) Unwrap() error { return sys.ENODEV }

// NotObject returns the error for a file of the given mode found where an
// object of kind k should be: "a FIFO, not a shared memory segment".
// errors.Is(err, syscall.ENODEV) holds, as for the kernel's refusal to map
// such a file.
func (k *Kind) NotObject(mode fs.FileMode) error {
	return &notObjectError{FileType(mode) + ", not a " + k.Title}
}

// directionError is the error of a call a handle's access mode does not
// allow: a receive on a queue opened O_WRONLY, a send on one opened
// O_RDONLY, a write to a segment opened O_RDONLY. The kernel says EBADF;
// posix_ipc raises PermissionsError. errors.Is holds for both
// fs.ErrPermission and syscall.EBADF.
type directionError struct{ msg string }

func (e *directionError) Error() string   { return e.msg }
func (e *directionError) Unwrap() []error { return []error{fs.ErrPermission, sys.EBADF} }

// NotReadable is the error of a read (a receive) on a handle not open for
// reading.
func NotReadable() error {
	return &directionError{"permission denied: the handle is not open for reading (opened write-only, O_WRONLY)"}
}

// NotWritable is the error of a write (a send, a resize) on a handle not
// open for writing.
func NotWritable() error {
	return &directionError{"permission denied: the handle is not open for writing (opened read-only, O_RDONLY)"}
}
