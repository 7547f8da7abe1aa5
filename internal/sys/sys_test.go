//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sys

import (
	"errors"
	"syscall"
	"testing"
)

// TestValuesAreTheSyscallOnes checks that on Linux each name is the syscall
// package's value, so errors.Is and == against syscall.E* keep holding.
func TestValuesAreTheSyscallOnes(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want error
	}{
		{"EAGAIN", EAGAIN, syscall.EAGAIN},
		{"EBADF", EBADF, syscall.EBADF},
		{"EBUSY", EBUSY, syscall.EBUSY},
		{"EFAULT", EFAULT, syscall.EFAULT},
		{"EFBIG", EFBIG, syscall.EFBIG},
		{"ELOOP", ELOOP, syscall.ELOOP},
		{"EMSGSIZE", EMSGSIZE, syscall.EMSGSIZE},
		{"ENODEV", ENODEV, syscall.ENODEV},
		{"ENOSPC", ENOSPC, syscall.ENOSPC},
		{"EOVERFLOW", EOVERFLOW, syscall.EOVERFLOW},
	} {
		if c.got != c.want || !errors.Is(c.got, c.want) {
			t.Errorf("%s = %#v; want syscall's %#v", c.name, c.got, c.want)
		}
	}
	if O_NONBLOCK != syscall.O_NONBLOCK {
		t.Errorf("O_NONBLOCK = %#o; want %#o", O_NONBLOCK, syscall.O_NONBLOCK)
	}
	if n, ok := SignalNumber(syscall.SIGUSR1); !ok || n != int(syscall.SIGUSR1) {
		t.Errorf("SignalNumber(SIGUSR1) = %d, %v; want %d, true", n, ok, int(syscall.SIGUSR1))
	}
}
