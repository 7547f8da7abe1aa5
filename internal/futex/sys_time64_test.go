//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && (386 || arm || mips || mipsle)

package futex

import (
	"syscall"
	"testing"
	"time"
)

// Where the kernel lacks futex_time64 (before Linux 5.1), the old futex
// with 32-bit seconds does the work.
func TestOldCallWhereTime64IsMissing(t *testing.T) {
	noTime64.Store(true)
	defer noTime64.Store(false)
	var w uint32
	if err := Wait(&w, 0, time.Millisecond); err != syscall.ETIMEDOUT {
		t.Errorf("Wait with a timeout = %v, want ETIMEDOUT", err)
	}
	if err := Wait(&w, 1, 1<<62); err != syscall.EAGAIN {
		t.Errorf("Wait on a changed word with a timeout beyond 32-bit seconds = %v, want EAGAIN", err)
	}
	if n, err := Wake(&w, 1); n != 0 || err != nil {
		t.Errorf("Wake = %d, %v", n, err)
	}
}
