package ipcfs

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Signals hitting the waiting thread (Go's own preemption signal here)
// neither end the wait nor disturb the waiter count.
func TestSemSignalsDuringWaitKeepCount(t *testing.T) {
	s := semCreate(t, 0)
	tids := make(chan int)
	errc := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		errc <- s.Acquire(context.Background())
	}()
	tid := <-tids
	semWaitFor(t, "the waiter to sleep in futex", func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/syscall", tid))
		// A lone waiter sleeps in the kernel on its own thread: futex, or
		// futex_waitv where the kernel has it.
		return semWaiters(s) == 1 && err == nil && (strings.HasPrefix(string(b), fmt.Sprint(unix.SYS_FUTEX)+" ") ||
			strings.HasPrefix(string(b), fmt.Sprint(unix.SYS_FUTEX_WAITV)+" "))
	})
	for range 50 {
		if err := unix.Tgkill(os.Getpid(), tid, unix.SIGURG); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-errc:
		t.Fatalf("Acquire returned %v before any release", err)
	default:
	}
	if w := semWaiters(s); w != 1 {
		t.Errorf("nwaiters after signals = %d, want 1", w)
	}
	s.Release()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
		t.Errorf("value %d nwaiters %d, want 0 0", v, w)
	}
}
