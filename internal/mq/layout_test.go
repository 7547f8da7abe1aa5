package mq

import (
	"runtime"
	"testing"
	"unsafe"
)

// kernelLayout is what the kernel's headers say on one architecture: the
// size and field offsets of struct mq_attr, of struct sigevent and of
// struct __kernel_timespec (checked against C's sizeof and offsetof under
// each architecture's emulator by TestLayoutsMatchC).
type kernelLayout struct {
	attrSize, attrFlags, attrMaxmsg, attrMsgsize, attrCurmsgs, attrReserved uintptr
	sigevSize, sigevValue, sigevSigno, sigevNotify                          uintptr
	timespecSize                                                            uintptr
}

var (
	lp64  = kernelLayout{64, 0, 8, 16, 24, 32, 64, 0, 8, 12, 16}
	ilp32 = kernelLayout{32, 0, 4, 8, 12, 16, 64, 0, 4, 8, 16}
)

// kernelLayouts holds the layouts for every GOARCH Go supports on Linux.
var kernelLayouts = map[string]kernelLayout{
	"amd64": lp64, "arm64": lp64, "riscv64": lp64, "ppc64le": lp64, "loong64": lp64, "mips64le": lp64,
	"s390x": lp64, "ppc64": lp64, "mips64": lp64,
	"386": ilp32, "arm": ilp32, "mips": ilp32, "mipsle": ilp32,
}

// TestLayoutsMatchTheKernel checks the sizes and offsets of the structures
// the wrappers hand the kernel against the kernel's own on this GOARCH.
// It runs for every GOARCH (it needs no system call), so each emulated run
// in .ci/run checks its architecture.
func TestLayoutsMatchTheKernel(t *testing.T) {
	want, ok := kernelLayouts[runtime.GOARCH]
	if !ok {
		t.Skipf("no kernel layout known for %s (Linux does not run on it)", runtime.GOARCH)
	}
	var a kattr
	var s Sigevent
	got := kernelLayout{
		unsafe.Sizeof(a), unsafe.Offsetof(a.Flags), unsafe.Offsetof(a.Maxmsg), unsafe.Offsetof(a.Msgsize),
		unsafe.Offsetof(a.Curmsgs), unsafe.Offsetof(a.Reserved),
		unsafe.Sizeof(s), unsafe.Offsetof(s.Value), unsafe.Offsetof(s.Signo), unsafe.Offsetof(s.Notify),
		unsafe.Sizeof(Timespec{}),
	}
	if got != want {
		t.Errorf("%s: layouts %+v; want %+v", runtime.GOARCH, got, want)
	}
}

// TestAttrOutsideALongIsRefused: where a C long has 32 bits, an attribute
// that does not fit is EINVAL, not a silently truncated queue size.
func TestAttrOutsideALongIsRefused(t *testing.T) {
	big := int64(1) << 40
	_, err := toKernel(&Attr{Maxmsg: 1, Msgsize: big})
	if unsafe.Sizeof(long(0)) == 4 {
		if err == nil {
			t.Errorf("message size 2^40 with 32-bit longs: converted; want EINVAL")
		}
	} else if err != nil {
		t.Errorf("message size 2^40 with 64-bit longs: %v", err)
	}
	k, err := toKernel(&Attr{Flags: 0o4000, Maxmsg: 3, Msgsize: 16, Curmsgs: 2})
	if err != nil || fromKernel(k) != (Attr{Flags: 0o4000, Maxmsg: 3, Msgsize: 16, Curmsgs: 2}) {
		t.Errorf("round trip through the kernel's layout: %+v, %v", k, err)
	}
}
