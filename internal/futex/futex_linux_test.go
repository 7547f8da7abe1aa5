//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package futex

import (
	"errors"
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
