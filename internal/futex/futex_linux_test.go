//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package futex

import (
	"errors"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestWaitReturnsEAGAINWhenWordDiffers(t *testing.T) {
	var w uint32 = 1
	if err := Wait(&w, 0, time.Second); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("Wait with a different value: %v, want EAGAIN", err)
	}
}

func TestWaitTimesOut(t *testing.T) {
	var w uint32
	if err := Wait(&w, 0, time.Millisecond); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("Wait: %v, want ETIMEDOUT", err)
	}
}

func TestWakeWithoutWaitersWakesNone(t *testing.T) {
	var w uint32
	n, err := Wake(&w, WakeAll)
	if err != nil || n != 0 {
		t.Fatalf("Wake: %d, %v; want 0, nil", n, err)
	}
}

func TestWakeWakesSleeper(t *testing.T) {
	w := new(uint32)
	done := make(chan error)
	go func() {
		for atomic.LoadUint32(w) == 0 {
			if err := Wait(w, 0, 0); err != nil && err != syscall.EAGAIN && err != syscall.EINTR {
				done <- err
				return
			}
		}
		done <- nil
	}()
	// Set the word, then wake until the sleeper has left: a wake may come
	// before it sleeps, in which case it sees the word and does not sleep.
	atomic.StoreUint32(w, 1)
	for {
		if _, err := Wake(w, 1); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// awaitSleepers returns once the kernel reports n threads asleep on addr,
// failing t after a minute.
func awaitSleepers(t *testing.T, addr *uint32, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := Sleepers(addr)
		if err != nil && err != syscall.EAGAIN {
			t.Fatal(err)
		}
		if err == nil && got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d threads asleep on the word after a minute; want %d", got, n)
		}
		runtime.Gosched()
	}
}

// Sleepers counts sleepers and wakes none: a Wait returns nil only when
// woken, and nobody else knows this word.
func TestSleepersCountsWithoutWaking(t *testing.T) {
	w := new(uint32)
	awaitSleepers(t, w, 0)
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- Wait(w, 0, 0) }()
	}
	awaitSleepers(t, w, 2)
	for range 3 {
		awaitSleepers(t, w, 2)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("counting woke a sleeper")
		}
		t.Logf("a sleeper returned early (%v); nothing left to check", err)
		return
	default:
	}
	if n, err := Wake(w, WakeAll); n != 2 || err != nil {
		t.Errorf("Wake woke %d, %v; want the 2 sleepers", n, err)
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("sleeper: %v; want woken", err)
		}
	}
	awaitSleepers(t, w, 0)
}
