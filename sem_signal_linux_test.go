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

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// Signals hitting the waiting thread (Go's own preemption signal here)
// neither end the wait nor disturb the waiter count.
func TestSemSignalsDuringWaitKeepCount(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
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
		return semWaiters(s) == 1 && err == nil && strings.HasPrefix(string(b), fmt.Sprint(unix.SYS_FUTEX)+" ")
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
