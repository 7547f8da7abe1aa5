package mq

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Attr is struct mq_attr (include/uapi/linux/mqueue.h): four longs and four
// reserved longs, 64 bytes on LP64.
type Attr struct {
	Flags    int64 // mq_flags: only O_NONBLOCK is meaningful
	Maxmsg   int64 // mq_maxmsg: capacity in messages
	Msgsize  int64 // mq_msgsize: largest message in bytes
	Curmsgs  int64 // mq_curmsgs: messages queued now
	Reserved [4]int64
}

// Sigevent is struct sigevent as mq_notify reads it (64 bytes): the union
// sigval at 0, sigev_signo at 8, sigev_notify at 12, and 48 bytes the kernel
// ignores for mq_notify.
type Sigevent struct {
	// Value is sigev_value; for SIGEV_THREAD the kernel reads it as the
	// address of a CookieLen-byte cookie (kept a pointer so the garbage
	// collector and stack copier see it).
	Value  unsafe.Pointer
	Signo  int32 // signal number, or the netlink socket for SIGEV_THREAD
	Notify int32 // SigevSignal, SigevNone or SigevThread
	_      [48]byte
}

// sigev_notify values and mq_notify constants (include/uapi/asm-generic/
// siginfo.h, include/uapi/linux/mqueue.h).
const (
	SigevSignal = 0
	SigevNone   = 1
	SigevThread = 2

	// CookieLen is the size of the SIGEV_THREAD cookie (NOTIFY_COOKIE_LEN).
	CookieLen = 32
	// NotifyWokenUp and NotifyRemoved are the values the kernel writes into
	// the cookie's last byte: the notification fired, or the registration
	// was removed.
	NotifyWokenUp = 1
	NotifyRemoved = 2

	// PrioMax is MQ_PRIO_MAX: valid priorities are 0..PrioMax-1.
	PrioMax = 32768
)

// cname returns "/"+name+"\x00": the kernel is given the address of byte 1,
// exactly as glibc's mq_open does (qemu-user reads the byte before it).
func cname(name string) ([]byte, error) {
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return nil, syscall.EINVAL
		}
	}
	b := make([]byte, len(name)+2)
	b[0] = '/'
	copy(b[1:], name)
	return b, nil
}

// Open is mq_open(2). name is the queue name without its leading slash.
// attr is read by the kernel only when flag has O_CREAT (nil: defaults).
func Open(name string, flag int, mode uint32, attr *Attr) (fd int, err error) {
	b, err := cname(name)
	if err != nil {
		return -1, err
	}
	r, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(&b[1])), uintptr(flag),
		uintptr(mode), uintptr(unsafe.Pointer(attr)), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// Unlink is mq_unlink(2). name is the queue name without its leading slash.
func Unlink(name string) error {
	b, err := cname(name)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(&b[1])), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// TimedSend is mq_timedsend(2). abs is an absolute CLOCK_REALTIME deadline;
// nil waits forever (or fails with EAGAIN on a non-blocking descriptor).
func TimedSend(fd int, msg []byte, prio uint, abs *unix.Timespec) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	_, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, uintptr(fd), uintptr(p), uintptr(len(msg)),
		uintptr(prio), uintptr(unsafe.Pointer(abs)), 0)
	if e != 0 {
		return e
	}
	return nil
}

// TimedReceive is mq_timedreceive(2): it returns the message's length and
// priority. buf must hold the queue's message size (EMSGSIZE otherwise).
func TimedReceive(fd int, buf []byte, abs *unix.Timespec) (n int, prio uint, err error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	var pr uint32
	r, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(fd), uintptr(p), uintptr(len(buf)),
		uintptr(unsafe.Pointer(&pr)), uintptr(unsafe.Pointer(abs)), 0)
	if e != 0 {
		return 0, 0, e
	}
	return int(r), uint(pr), nil
}

// GetSetAttr is mq_getsetattr(2): new (may be nil) sets the O_NONBLOCK flag,
// old (may be nil) receives the attributes.
func GetSetAttr(fd int, new, old *Attr) error {
	_, _, e := unix.Syscall(unix.SYS_MQ_GETSETATTR, uintptr(fd), uintptr(unsafe.Pointer(new)),
		uintptr(unsafe.Pointer(old)))
	if e != 0 {
		return e
	}
	return nil
}

// Notify is mq_notify(2); a nil sev removes the calling process's
// registration.
func Notify(fd int, sev *Sigevent) error {
	_, _, e := unix.Syscall(unix.SYS_MQ_NOTIFY, uintptr(fd), uintptr(unsafe.Pointer(sev)), 0)
	if e != 0 {
		return e
	}
	return nil
}
