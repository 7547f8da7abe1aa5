//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/futex"
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

// awaitSleepers returns once the kernel reports n threads asleep on w,
// failing t after a minute.
func awaitSleepers(t *testing.T, w Word, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := w.Sleepers()
		if err != nil && err != syscall.EAGAIN {
			t.Fatal(err)
		}
		if err == nil && got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d threads asleep on the semaphore after a minute; want %d", got, n)
		}
		runtime.Gosched()
	}
}

// A waiter that gives up after units were posted passes the wake-up on:
// a C-style waiter sleeping without a timeout must be woken.
func TestWordGivingUpPassesWakeOn(t *testing.T) {
	w := newTestWord(0)
	w.register() // the sleeper below
	w.register() // and us
	woke := make(chan error, 1)
	go func() {
		// As glibc's sem_wait without a timeout: every return of FUTEX_WAIT
		// means look again. Woken, EAGAIN (the value moved before it
		// slept) and EINTR are all correct outcomes.
		for w.Value() == 0 {
			if err := futex.Wait(w.futexAddr(), w.armSleep(), 0); err != nil && err != syscall.EAGAIN && err != syscall.EINTR {
				woke <- err
				return
			}
		}
		woke <- nil
	}()
	// Post only once the kernel reports the sleeper asleep on the word, so
	// the wake-up under test is its only way out. (A signal may still
	// interrupt it before the post; it then finds the unit without help,
	// which is correct too.)
	awaitSleepers(t, w, 1)
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
