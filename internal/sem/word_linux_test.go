package sem

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
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
	mem := make([]uint64, Size/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&mem[0])), Size)
	copy(b, Image(value))
	return NewWord(b)
}

func TestImageIsGlibcs(t *testing.T) {
	want := []byte{3, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if got := Image(3); !bytes.Equal(got, want) {
		t.Errorf("Image(3) = % x, want % x", got, want)
	}
	if Size != 32 || ValueMax != 2147483647 || Shared != 128 {
		t.Errorf("Size %d ValueMax %d Shared %d, want 32 2147483647 128", Size, ValueMax, Shared)
	}
}

func TestValidateRejectsWhatIsNotASemaphore(t *testing.T) {
	over := Image(0)
	copy(over, []byte{0, 0, 0, 0x80})
	tests := []struct {
		name string
		head []byte
		ok   bool
	}{
		{"glibc image", Image(5), true},
		{"with waiters", append([]byte{1, 0, 0, 0, 2, 0, 0, 0}, Image(0)[8:]...), true},
		{"longer file", append(Image(1), 9, 9, 9), true},
		{"empty", nil, false},
		{"short", Image(1)[:31], false},
		{"private 0", make([]byte, Size), false},
		{"garbage", bytes.Repeat([]byte{0xff}, Size), false},
		{"value above max", over, false},
	}
	for _, tt := range tests {
		err := Validate(tt.head)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrNotSemaphore) {
			t.Errorf("%s: %v does not wrap ErrNotSemaphore", tt.name, err)
		}
	}
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
	if !w.register() || w.Load() != 0 {
		t.Fatalf("register at 1: word %#x, want a unit taken and no waiter", w.Load())
	}
	if w.register() || w.Load() != waiter {
		t.Fatalf("register at 0: word %#x, want one waiter", w.Load())
	}
	if w.takeRegistered() {
		t.Fatal("takeRegistered at 0 took a unit")
	}
	w.Post()
	w.Post()
	if !w.takeRegistered() || w.Load() != 1 {
		t.Fatalf("takeRegistered at 2: word %#x, want value 1 and no waiter", w.Load())
	}
	w.register() // takes the unit
	w.register()
	w.register()
	if w.Waiters() != 2 || w.Value() != 0 {
		t.Fatalf("word %#x, want 2 waiters at value 0", w.Load())
	}
	w.withdraw()
	w.unregister()
	if w.Load() != 0 {
		t.Fatalf("after withdraw and unregister: word %#x, want 0", w.Load())
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
	atomic.AddUint64(w.data, 2*waiter) // the sleeper below and us
	tids := make(chan int)
	woke := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		woke <- futex.Wait(w.futexAddr(), 0, 0)
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
	atomic.AddUint64(w.data, 1)
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
