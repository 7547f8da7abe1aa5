//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/testenv"
	"golang.org/x/sys/unix"
)

// newTestWord returns a semaphore in ordinary 8-byte-aligned memory.
func newTestWord(value uint32) Word {
	mem := make([]uint64, (Size+7)/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&mem[0])), Size)
	copy(b, Image(value))
	return NewWord(b)
}

func TestWordPostTryWait(t *testing.T) {
	w := newTestWord(0)
	if w.TryWait() {
		t.Fatal("TryWait at 0 succeeded")
	}
	if err := w.Post(); err != nil {
		t.Fatal(err)
	}
	if w.Value() != 1 || !w.TryWait() || w.Value() != 0 {
		t.Fatal("Post then TryWait did not go 0 -> 1 -> 0")
	}
	w = newTestWord(ValueMax)
	if err := w.Post(); err != syscall.EOVERFLOW || w.Value() != ValueMax {
		t.Fatalf("Post at max: %v, value %d", err, w.Value())
	}
}

// The steps of a waiter, against glibc's: register takes a unit that is
// there (and unregisters in the same step); a registered waiter's unit is
// taken with its registration; withdraw and unregister leave the value.
func TestWordWaiterSteps(t *testing.T) {
	w := newTestWord(1)
	state := func() string { return fmt.Sprintf("value %d nwaiters %d", w.Value(), w.Waiters()) }
	if !w.register() || w.Value() != 0 || w.Waiters() != 0 {
		t.Fatalf("register at 1: %s, want a unit taken and no waiter", state())
	}
	if w.register() || w.Value() != 0 || w.Waiters() != 1 {
		t.Fatalf("register at 0: %s, want one waiter", state())
	}
	if w.takeRegistered() {
		t.Fatal("takeRegistered at 0 took a unit")
	}
	w.Post()
	w.Post()
	if !w.takeRegistered() || w.Value() != 1 || w.Waiters() != 0 {
		t.Fatalf("takeRegistered at 2: %s, want value 1 and no waiter", state())
	}
	w.register() // takes the unit
	w.register()
	w.register()
	if w.Waiters() != 2 || w.Value() != 0 {
		t.Fatalf("%s, want 2 waiters at value 0", state())
	}
	w.withdraw()
	w.unregister()
	if w.Value() != 0 || w.Waiters() != 0 {
		t.Fatalf("after withdraw and unregister: %s, want 0 and 0", state())
	}
}

// futexBlocked reports whether thread tid of this process sleeps in futex.
func futexBlocked(tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/syscall", tid))
	return err == nil && strings.HasPrefix(string(b), fmt.Sprint(unix.SYS_FUTEX)+" ")
}

// A waiter that gives up after units were posted passes the wake-up on:
// a C-style waiter sleeping without a timeout must be woken.
func TestWordGivingUpPassesWakeOn(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	w := newTestWord(0)
	w.register() // the sleeper below
	w.register() // and us
	tids := make(chan int)
	woke := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		woke <- futex.Wait(w.futexAddr(), w.armSleep(), 0)
	}()
	tid := <-tids
	deadline := time.Now().Add(10 * time.Second)
	for !futexBlocked(tid) {
		if time.Now().After(deadline) {
			t.Fatal("sleeper never blocked in futex")
		}
		time.Sleep(time.Millisecond)
	}
	// A post whose wake-up went to us (so not to the sleeper)...
	if _, err := w.post(); err != nil {
		t.Fatal(err)
	}
	// ...and we give up: the sleeper must be woken.
	w.unregister()
	select {
	case err := <-woke:
		if err != nil {
			t.Fatalf("sleeper: %v", err)
		}
	case <-time.After(10 * time.Second):
		w.WakeAll()
		t.Fatal("giving up did not pass the wake-up on")
	}
	if w.Value() != 1 || w.Waiters() != 1 {
		t.Errorf("value %d nwaiters %d, want 1 1", w.Value(), w.Waiters())
	}
}
