package mq

import (
	"testing"
	"unsafe"
)

// TestStructLayoutsMatchTheKernel checks the sizes and offsets of the
// structures against include/uapi (LP64: amd64 and arm64 alike).
func TestStructLayoutsMatchTheKernel(t *testing.T) {
	var a Attr
	var s Sigevent
	tests := []struct {
		what      string
		got, want uintptr
	}{
		{"sizeof(struct mq_attr)", unsafe.Sizeof(a), 64},
		{"offsetof(mq_flags)", unsafe.Offsetof(a.Flags), 0},
		{"offsetof(mq_maxmsg)", unsafe.Offsetof(a.Maxmsg), 8},
		{"offsetof(mq_msgsize)", unsafe.Offsetof(a.Msgsize), 16},
		{"offsetof(mq_curmsgs)", unsafe.Offsetof(a.Curmsgs), 24},
		{"offsetof(__reserved)", unsafe.Offsetof(a.Reserved), 32},
		{"sizeof(struct sigevent)", unsafe.Sizeof(s), 64},
		{"offsetof(sigev_value)", unsafe.Offsetof(s.Value), 0},
		{"offsetof(sigev_signo)", unsafe.Offsetof(s.Signo), 8},
		{"offsetof(sigev_notify)", unsafe.Offsetof(s.Notify), 12},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.what, tt.got, tt.want)
		}
	}
}

func TestNameWithNULIsRejected(t *testing.T) {
	if _, err := Open("a\x00b", 0, 0, nil); err == nil {
		t.Fatal("Open with a NUL in the name succeeded")
	}
}
