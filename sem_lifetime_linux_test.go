package ipcfs

// The lifetime of a semaphore's mapping and descriptor: one of each per
// distinct semaphore, shared by its handles; the descriptor goes with the
// last Close, the mapping once no handle referring to it is reachable.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// semLeakWarmUp runs the sem cycles of TestReliabilityOpenCloseCyclesLeakNothing
// once before it measures. A semaphore's mapping goes when its handles are
// collected, not at Close (see SemFile), so the creates of a round keep
// their mappings until the collector runs; the address space they took
// once is not a leak. It returns once the collector has released them.
func semLeakWarmUp(t *testing.T, cycles int, name, other string, use func(File) error) {
	t.Helper()
	ipcBefore := relMeasure(t).ipcMaps
	for i := range cycles {
		relOpenUseClose(t, "sem", name, use)
		if i%10 == 0 {
			f, err := relCreate("sem", other, 0o600)
			if err != nil {
				t.Fatalf("warm-up: create: %v", err)
			}
			f.Close()
			if err := relRemove("sem", other); err != nil {
				t.Fatalf("warm-up: remove: %v", err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for relMeasure(t).ipcMaps > ipcBefore {
		if time.Now().After(deadline) {
			t.Fatalf("warm-up: mappings of IPC objects %d, want %d once handles are collected", relMeasure(t).ipcMaps, ipcBefore)
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
}

// semHostFile returns the descriptors and mappings this process holds of
// semaphore s's file, matched by inode (a creator's mapping may show
// O_TMPFILE's name).
func semHostFile(t *testing.T, s *SemFile) (fds, maps int) {
	t.Helper()
	u := cleanupCount(t, "/dev/shm/sem."+s.Name()[1:])
	return u.pathFds, u.pathMaps
}

func TestSemHandlesShareOneMappingAndDescriptor(t *testing.T) {
	s := semCreate(t, 2)
	var hs []*SemFile
	for range 4 {
		h, err := OpenSem(s.Name(), os.O_CREATE, 0o600, 9)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	f, err := New().OpenFile("sem/"+s.Name()[1:], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	hs = append(hs, f.(*SemFile))
	if fds, maps := semHostFile(t, s); fds != 1 || maps != 1 {
		t.Fatalf("6 handles: %d descriptors, %d mappings of the file; want 1 and 1", fds, maps)
	}
	for _, h := range hs {
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if fds, _ := semHostFile(t, s); fds != 1 {
		t.Errorf("one handle left open: %d descriptors, want 1", fds)
	}
	// Stat works on the open handle after the name is gone.
	if err := RemoveSem(s.Name()); err != nil {
		t.Fatal(err)
	}
	fi, err := s.Stat()
	if err != nil || fi.Size() != 2 {
		t.Fatalf("Stat after RemoveSem: %v, %v; want the value 2", fi, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Stat after Close: %v, want fs.ErrClosed", err)
	}
	runtime.KeepAlive(hs)
}

// Operations racing Close return a result or fs.ErrClosed, never a fault,
// and every unit they report is real.
func TestSemCloseRacingOperationsKeepsCount(t *testing.T) {
	keep := semCreate(t, 0)
	var released, acquired atomic.Int64
	for round := range 200 {
		s, err := OpenSem(keep.Name(), 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := 0; ; i++ {
					var err error
					switch (g + i) % 4 {
					case 0:
						if err = s.Release(); err == nil {
							released.Add(1)
						}
					case 1:
						if err = s.TryAcquire(); err == nil {
							acquired.Add(1)
						} else if errors.Is(err, ErrWouldBlock) {
							err = nil
						}
					case 2:
						ctx, cancel := context.WithTimeout(context.Background(), 50*time.Microsecond)
						if err = s.Acquire(ctx); err == nil {
							acquired.Add(1)
						} else if errors.Is(err, context.DeadlineExceeded) {
							err = nil
						}
						cancel()
					case 3:
						_, err = s.Value()
					}
					if errors.Is(err, fs.ErrClosed) {
						return
					}
					if err != nil {
						t.Errorf("round %d: %v", round, err)
						return
					}
				}
			})
		}
		time.Sleep(time.Duration(round%7) * 20 * time.Microsecond) // vary where Close lands
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
	}
	if v := int64(semValue(t, keep)); v != released.Load()-acquired.Load() {
		t.Errorf("value %d, want %d released - %d acquired", v, released.Load(), acquired.Load())
	}
	if w := semWaiters(keep); w != 0 {
		t.Errorf("nwaiters %d, want 0", w)
	}
}
