//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package futex

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// skipWithoutWaitv skips where the kernel (or an emulator) lacks futex_waitv:
// the callers fall back to one FUTEX_WAIT per word there.
func skipWithoutWaitv(t *testing.T) {
	t.Helper()
	if !WaitvSupported() {
		t.Skip("futex_waitv is not available here (ENOSYS: Linux < 5.16, seccomp or qemu-user)")
	}
}

// sharedWord maps a fresh 4 KiB file in /dev/shm and returns its first word.
func sharedWord(t *testing.T) *uint32 {
	t.Helper()
	f, err := os.CreateTemp("/dev/shm", "futex-test-*")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(f.Name())
	defer f.Close()
	if err := f.Truncate(4096); err != nil {
		t.Fatal(err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	return (*uint32)(unsafe.Pointer(&mem[0]))
}

func TestWaitMultipleEAGAINWhenAWordDiffers(t *testing.T) {
	skipWithoutWaitv(t)
	shared, private := sharedWord(t), new(uint32)
	*private = 1
	ws := []Waitv{Shared(shared, 0), Private(private, 0)}
	if _, err := WaitMultiple(ws, nil); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("WaitMultiple with a differing word: %v, want EAGAIN", err)
	}
}

func TestWaitMultipleTimesOut(t *testing.T) {
	skipWithoutWaitv(t)
	shared, private := sharedWord(t), new(uint32)
	dl := Monotonic(time.Millisecond)
	if _, err := WaitMultiple([]Waitv{Shared(shared, 0), Private(private, 0)}, &dl); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("WaitMultiple: %v, want ETIMEDOUT", err)
	}
	past := Monotonic(-time.Hour)
	if _, err := WaitMultiple([]Waitv{Private(private, 0)}, &past); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("WaitMultiple with a past deadline: %v, want ETIMEDOUT", err)
	}
}

func TestWaitMultipleRefusesBadLengths(t *testing.T) {
	if _, err := WaitMultiple(nil, nil); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("no entries: %v, want EINVAL", err)
	}
	if _, err := WaitMultiple(make([]Waitv, MaxWaitv+1), nil); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("%d entries: %v, want EINVAL", MaxWaitv+1, err)
	}
}

// Each word wakes the sleeper with its own kind of wake-up, and the index
// returned is that word's.
func TestWaitMultipleWokenByEitherWord(t *testing.T) {
	skipWithoutWaitv(t)
	for _, tc := range []struct {
		name  string
		index int
		wake  func(shared, private *uint32) (int, error)
	}{
		{"shared", 0, func(s, _ *uint32) (int, error) { return Wake(s, 1) }},
		{"private", 1, func(_, p *uint32) (int, error) { return WakePrivate(p, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared, private := sharedWord(t), new(uint32)
			ws := []Waitv{Shared(shared, 0), Private(private, 0)}
			done := make(chan int, 1)
			go func() {
				idx, err := WaitMultiple(ws, nil)
				if err != nil {
					idx = -1 - int(err.(syscall.Errno))
				}
				done <- idx
			}()
			// Wake until the sleeper has returned: a wake-up sent before it
			// sleeps reaches nobody (no word changes, so it sleeps then).
			for {
				n, err := tc.wake(shared, private)
				if err != nil {
					t.Fatal(err)
				}
				if n == 1 {
					break
				}
				time.Sleep(time.Millisecond) // retrying a wake-up, not synchronising
			}
			if idx := <-done; idx != tc.index {
				t.Fatalf("WaitMultiple returned %d, want index %d", idx, tc.index)
			}
		})
	}
}
