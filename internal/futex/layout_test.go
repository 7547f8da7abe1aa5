package futex

import (
	"testing"
	"unsafe"
)

// The structures futex_waitv and futex_time64 read are the same on every
// architecture (include/uapi/linux/futex.h, time_types.h): this runs for
// every GOARCH, so each emulated run checks its own.
func TestLayoutsAreTheKernels(t *testing.T) {
	var ts Timespec
	var w Waitv
	for _, c := range []struct {
		what      string
		got, want uintptr
	}{
		{"sizeof(struct __kernel_timespec)", unsafe.Sizeof(ts), 16},
		{"offsetof(tv_nsec)", unsafe.Offsetof(ts.Nsec), 8},
		{"sizeof(struct futex_waitv)", unsafe.Sizeof(w), 24},
		{"offsetof(val)", unsafe.Offsetof(w.val), 0},
		{"offsetof(uaddr)", unsafe.Offsetof(w.uaddr), 8},
		{"offsetof(flags)", unsafe.Offsetof(w.flags), 16},
		{"offsetof(__reserved)", unsafe.Offsetof(w.reserved), 20},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
		}
	}
}
