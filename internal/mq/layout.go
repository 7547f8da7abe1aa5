package mq

// The kernel's structures, laid out as on the machine the program runs on
// (include/uapi/linux/mqueue.h, include/uapi/asm-generic/siginfo.h,
// include/uapi/linux/time_types.h). A C long is a Go int on every
// architecture Go supports on Linux: 4 bytes on 386, arm, mips and mipsle,
// 8 on the 64-bit ones. TestLayoutsMatchTheKernel checks every size and
// offset against the kernel's for each GOARCH.

import (
	"math"
	"syscall"
	"unsafe"
)

// long is C's long.
type long = int

// kattr is struct mq_attr: four longs and four reserved longs (64 bytes on
// 64-bit machines, 32 on 32-bit ones).
type kattr struct {
	Flags    long // mq_flags
	Maxmsg   long // mq_maxmsg
	Msgsize  long // mq_msgsize
	Curmsgs  long // mq_curmsgs
	Reserved [4]long
}

// toKernel returns a in the kernel's layout; a field a C long cannot hold
// gives EINVAL, as the kernel gives for values above its limits.
func toKernel(a *Attr) (*kattr, error) {
	if a == nil {
		return nil, nil
	}
	for _, v := range [...]int64{a.Flags, a.Maxmsg, a.Msgsize, a.Curmsgs} {
		if v < math.MinInt || v > math.MaxInt {
			return nil, syscall.EINVAL
		}
	}
	return &kattr{Flags: long(a.Flags), Maxmsg: long(a.Maxmsg), Msgsize: long(a.Msgsize), Curmsgs: long(a.Curmsgs)}, nil
}

// fromKernel returns k as an Attr.
func fromKernel(k *kattr) Attr {
	return Attr{Flags: int64(k.Flags), Maxmsg: int64(k.Maxmsg), Msgsize: int64(k.Msgsize), Curmsgs: int64(k.Curmsgs)}
}

// sigevMaxSize is SIGEV_MAX_SIZE: the kernel copies this many bytes of a
// struct sigevent.
const sigevMaxSize = 64

// Sigevent is struct sigevent as mq_notify reads it (64 bytes): the union
// sigval (a pointer's size) at 0, then sigev_signo and sigev_notify, then
// bytes the kernel ignores for mq_notify. The order is the same on every
// architecture, MIPS included (its __ARCH_SIGEV_PREAMBLE_SIZE is the
// generic one).
type Sigevent struct {
	// Value is sigev_value; for SIGEV_THREAD the kernel reads it as the
	// address of a CookieLen-byte cookie (kept a pointer so the garbage
	// collector and stack copier see it).
	Value  unsafe.Pointer
	Signo  int32 // signal number, or the netlink socket for SIGEV_THREAD
	Notify int32 // SigevSignal, SigevNone or SigevThread
	_      [sigevMaxSize - unsafe.Sizeof(uintptr(0)) - 2*4]byte
}

// sigev_notify values (include/uapi/asm-generic/siginfo.h).
const (
	SigevSignal = 0
	SigevNone   = 1
	SigevThread = 2
)

// Timespec is struct __kernel_timespec, the timeout of mq_timedsend and
// mq_timedreceive: 64-bit seconds and nanoseconds on every architecture
// (the _time64 system calls take it on 32-bit machines).
type Timespec struct {
	Sec  int64
	Nsec int64
}

// pastDeadline is an absolute timeout that has always passed: with it
// mq_timedsend and mq_timedreceive never sleep, whatever the descriptor's
// O_NONBLOCK flag says (they fail with ETIMEDOUT instead of waiting).
var pastDeadline Timespec
