//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sleepers"
)

// testHandle is what a SemFile is to the engine: an owner of a Handle.
type testHandle struct{ h Handle }

// testDir returns a fresh directory in /dev/shm for the test's semaphore
// files, removed at the end.
func testDir(t testing.TB) string {
	t.Helper()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	dir := filepath.Join("/dev/shm", fmt.Sprintf("ipcfs-semtest-%d-%s", os.Getpid(), name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// openHandle opens (creating it with value if missing) the semaphore at
// path; the test's cleanup closes the handle.
func openHandle(t testing.TB, path string, value uint32) *testHandle {
	t.Helper()
	o, err := Open(path, true, false, 0o600, value)
	if err != nil {
		t.Fatal(err)
	}
	th := &testHandle{}
	th.h.Init(o)
	Track(th, &th.h)
	t.Cleanup(func() { th.h.Close() })
	return th
}

// newHandle creates a semaphore of value in a fresh directory.
func newHandle(t testing.TB, value uint32) (*testHandle, string) {
	t.Helper()
	path := filepath.Join(testDir(t), "sem.x")
	return openHandle(t, path, value), path
}

// engineModes runs f with the futex_waitv engine (where the kernel has
// it) and with the fallback forced.
func engineModes(t *testing.T, f func(t *testing.T)) {
	for _, fallback := range []bool{false, true} {
		name := "waitv"
		if fallback {
			name = "fallback"
		}
		t.Run(name, func(t *testing.T) {
			if !fallback && !futex.WaitvSupported() {
				t.Skip("futex_waitv is not available here: only the fallback runs")
			}
			prev := SetFallback(fallback)
			t.Cleanup(func() { SetFallback(prev) })
			f(t)
		})
	}
}

// waitUntil polls cond until it holds, failing the test after 20 s.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
}

// waitIdle waits until no sleeper of the engine runs and no budget slot is
// taken: what must hold once no goroutine waits. A fallback sleeper may
// take up to fallbackSlice to notice its queue emptied.
func waitIdle(t testing.TB) {
	t.Helper()
	waitUntil(t, "the engine to be idle", func() bool {
		w, f := Sleepers()
		return w == 0 && f == 0 && sleepers.InUse() == 0
	})
}

// spendBudget takes every free slot of the sleeper budget, so that no wait
// sleeps direct, and returns the function that gives them back.
func spendBudget(t testing.TB) func() {
	t.Helper()
	n := 0
	for sleepers.TryAcquire() {
		n++
	}
	return func() {
		for range n {
			sleepers.Release()
		}
	}
}

func TestEngineManyWaitersAllWoken(t *testing.T) {
	engineModes(t, func(t *testing.T) {
		a, path := newHandle(t, 0)
		b := openHandle(t, path, 0)
		if a.h.Object() != b.h.Object() {
			t.Fatal("two handles of one semaphore have different objects")
		}
		const n = 300
		errs := make(chan error, n)
		for i := range n {
			h := &a.h
			if i%2 == 1 {
				h = &b.h
			}
			go func() { errs <- h.Acquire(context.Background()) }()
		}
		waitUntil(t, "all waiters", func() bool { return a.h.Object().Waiting() == n && a.h.Waiters() == n })
		for range n {
			if err := a.h.Release(); err != nil {
				t.Fatal(err)
			}
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if v, w := a.h.Word.Value(), a.h.Waiters(); v != 0 || w != 0 {
			t.Errorf("value %d nwaiters %d, want 0 0", v, w)
		}
		waitIdle(t)
	})
}

func TestEngineGivingUpTakesNothing(t *testing.T) {
	engineModes(t, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			stop func(h *Handle, cancel context.CancelFunc)
			want error
		}{
			{"cancel", func(_ *Handle, cancel context.CancelFunc) { cancel() }, context.Canceled},
			{"deadline", func(h *Handle, _ context.CancelFunc) { h.SetDeadline(time.Now()) }, os.ErrDeadlineExceeded},
			{"close", func(h *Handle, _ context.CancelFunc) { h.Close() }, fs.ErrClosed},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, path := newHandle(t, 0)
				other := openHandle(t, path, 0)
				const n = 20 // the first sleeps direct, the rest queue
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				errs := make(chan error, n)
				for range n {
					go func() { errs <- a.h.Acquire(ctx) }()
				}
				// A waiter of another handle, untouched by this one's Close
				// and deadline.
				otherErr := make(chan error, 1)
				octx, ocancel := context.WithCancel(context.Background())
				defer ocancel()
				go func() { otherErr <- other.h.Acquire(octx) }()
				waitUntil(t, "the waiters", func() bool { return a.h.Object().Waiting() == n+1 })
				start := time.Now()
				tc.stop(&a.h, cancel)
				for range n {
					if err := <-errs; !errors.Is(err, tc.want) {
						t.Errorf("Acquire: %v, want %v", err, tc.want)
					}
				}
				t.Logf("%d waits ended %v after the %s", n, time.Since(start), tc.name)
				if got := a.h.Object().Waiting(); got != 1 {
					t.Errorf("waiting after the %s: %d, want the other handle's 1", tc.name, got)
				}
				if v, w := other.h.Word.Value(), other.h.Waiters(); v != 0 || w != 1 {
					t.Errorf("value %d nwaiters %d, want 0 and the other handle's waiter", v, w)
				}
				ocancel()
				if err := <-otherErr; !errors.Is(err, context.Canceled) {
					t.Errorf("other handle's Acquire: %v", err)
				}
				if w := other.h.Waiters(); w != 0 {
					t.Errorf("nwaiters at the end: %d, want 0", w)
				}
				waitIdle(t)
			})
		}
	})
}

// A unit taken for a queued goroutine that gives up before it sees the
// unit goes back to the semaphore.
func TestEngineGivesBackAUnitTakenForAGoroutineThatGaveUp(t *testing.T) {
	a, _ := newHandle(t, 0)
	o := a.h.Object()
	w := getWaiter(&a.h)
	o.mu.Lock()
	if o.word.register() {
		t.Fatal("register at 0 took a unit")
	}
	o.queue.push(w)
	o.mu.Unlock()
	a.h.Word.Post()
	o.mu.Lock()
	o.serve() // takes the unit for w
	o.mu.Unlock()
	if !w.granted || a.h.Word.Load() != 0 {
		t.Fatalf("granted %v, word %#x; want the unit taken for the waiter", w.granted, a.h.Word.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.waitQueued(w, ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("waitQueued with a cancelled ctx: %v", err)
	}
	if v, n := a.h.Word.Value(), a.h.Waiters(); v != 1 || n != 0 {
		t.Fatalf("value %d nwaiters %d, want the unit back and no waiter", v, n)
	}
	putWaiter(w)
}

// A lone waiter sleeps in the kernel itself; more queue behind one watcher;
// with the budget spent, even a lone waiter queues.
func TestEngineLoneWaiterSleepsDirect(t *testing.T) {
	if !futex.WaitvSupported() {
		t.Skip("futex_waitv is not available here: no direct waits")
	}
	prev := SetFallback(false)
	defer SetFallback(prev)
	waitIdle(t)
	a, _ := newHandle(t, 0)
	o := a.h.Object()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 3)
	go func() { errs <- a.h.Acquire(ctx) }()
	waitUntil(t, "the direct waiter", func() bool { o.mu.Lock(); defer o.mu.Unlock(); return o.direct != nil })
	go func() { errs <- a.h.Acquire(ctx) }()
	waitUntil(t, "the queued waiter", func() bool { return o.Waiting() == 2 })
	if w, f := Sleepers(); w != 1 || f != 0 {
		t.Errorf("sleepers with one queued waiter: %d watchers, %d fallbacks; want 1, 0", w, f)
	}
	if n := sleepers.InUse(); n != 2 {
		t.Errorf("budget slots in use: %d, want 2 (the direct waiter and the watcher)", n)
	}
	cancel()
	for range 2 {
		<-errs
	}
	waitIdle(t)

	defer spendBudget(t)()
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() { errs <- a.h.Acquire(ctx) }()
	waitUntil(t, "the waiter", func() bool { return o.Waiting() == 1 })
	o.mu.Lock()
	direct := o.direct
	o.mu.Unlock()
	if direct != nil {
		t.Error("a waiter slept direct with the budget spent")
	}
	a.h.Release()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// One watcher thread sleeps on up to futex.MaxWaitv-1 semaphores.
func TestEngineWatcherCoversManySemaphores(t *testing.T) {
	if !futex.WaitvSupported() {
		t.Skip("futex_waitv is not available here")
	}
	prev := SetFallback(false)
	defer SetFallback(prev)
	waitIdle(t)
	defer spendBudget(t)() // no direct waits: every waiter queues
	dir := testDir(t)
	const n = 200
	hs := make([]*testHandle, n)
	errs := make(chan error, n)
	for i := range hs {
		hs[i] = openHandle(t, filepath.Join(dir, fmt.Sprintf("sem.%d", i)), 0)
		go func() { errs <- hs[i].h.Acquire(context.Background()) }()
	}
	for _, h := range hs {
		waitUntil(t, "the waiters", func() bool { return h.h.Object().Waiting() == 1 })
	}
	if w, _ := Sleepers(); w != 2 {
		t.Errorf("watchers for %d semaphores: %d, want 2 (%d semaphores each)", n, w, futex.MaxWaitv-1)
	}
	for _, h := range hs {
		h.h.Release()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	waitUntil(t, "the watchers to end", func() bool { w, _ := Sleepers(); return w == 0 })
}

// Goroutines acquiring with random timeouts and cancellations, releasers,
// and a handle closed midway, on a few semaphores: every unit is accounted
// for, no registration is left, and the engine ends idle.
func TestEngineStressExactAccounting(t *testing.T) {
	engineModes(t, func(t *testing.T) {
		dir := testDir(t)
		const sems, perSem, releases = 4, 16, 3000
		type semState struct {
			path     string
			h        *testHandle
			acquired atomic.Int64
		}
		ss := make([]*semState, sems)
		for i := range ss {
			path := filepath.Join(dir, fmt.Sprintf("sem.%d", i))
			ss[i] = &semState{path: path, h: openHandle(t, path, 0)}
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, s := range ss {
			for g := range perSem {
				h := openHandle(t, s.path, 0)
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(300))*time.Microsecond)
						if g%4 == 0 {
							cancel() // sometimes already cancelled
						}
						err := h.h.Acquire(ctx)
						cancel()
						switch {
						case err == nil:
							s.acquired.Add(1)
						case errors.Is(err, fs.ErrClosed):
							return
						case !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled):
							t.Error(err)
							return
						}
						if g == 1 && i == 200 {
							h.h.Close() // its other waits, if any, end too
						}
					}
				})
			}
		}
		for i := range releases {
			if err := ss[i%sems].h.h.Release(); err != nil {
				t.Fatal(err)
			}
			if i%64 == 0 {
				time.Sleep(50 * time.Microsecond) // let waiters queue; not synchronisation
			}
		}
		close(stop)
		wg.Wait()
		for i, s := range ss {
			released := int64(releases / sems)
			if v := int64(s.h.h.Word.Value()); v != released-s.acquired.Load() {
				t.Errorf("semaphore %d: value %d, want %d released - %d acquired", i, v, released, s.acquired.Load())
			}
			if w := s.h.h.Waiters(); w != 0 {
				t.Errorf("semaphore %d: nwaiters %d, want 0", i, w)
			}
		}
		waitIdle(t)
	})
}
