package sleepers

import (
	"sync"
	"testing"
)

func TestTryAcquireStopsAtBudget(t *testing.T) {
	if InUse() != 0 {
		t.Fatalf("InUse at start = %d, want 0", InUse())
	}
	for i := range Budget {
		if !TryAcquire() {
			t.Fatalf("TryAcquire %d of %d refused", i+1, Budget)
		}
	}
	if TryAcquire() {
		t.Fatal("TryAcquire over the budget succeeded")
	}
	Acquire() // a required sleeper goes over
	if InUse() != Budget+1 {
		t.Fatalf("InUse = %d, want %d", InUse(), Budget+1)
	}
	for range Budget + 1 {
		Release()
	}
	if InUse() != 0 {
		t.Fatalf("InUse after releasing all = %d, want 0", InUse())
	}
}

func TestConcurrentTryAcquireNeverExceedsBudget(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := 0
	for range 64 {
		wg.Go(func() {
			if TryAcquire() {
				mu.Lock()
				got++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if got != Budget || InUse() != Budget {
		t.Fatalf("%d of 64 TryAcquire succeeded, InUse %d; want %d and %d", got, InUse(), Budget, Budget)
	}
	for range got {
		Release()
	}
}

func TestReleaseWithoutAcquirePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Release without Acquire did not panic")
		}
		inUse.Store(0)
	}()
	Release()
}
