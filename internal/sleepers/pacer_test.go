package sleepers

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestPacerYieldsOncePerInterval(t *testing.T) {
	var p Pacer
	step := int64(PaceInterval)
	for _, c := range []struct {
		now  int64
		want bool
	}{
		{step, true},              // the zero Pacer yields once the interval has passed since the epoch
		{step + 1, false},         // not again within the interval
		{2*step - 1, false},       // still within it
		{2 * step, true},          // the interval since the last yield has passed
		{2*step + step/2, false},  // within the new one
		{10 * step, true},         // a long quiet time gives one yield, not several
		{10*step + step/2, false}, //
	} {
		if got := p.due(c.now); got != c.want {
			t.Fatalf("due(%d) = %v, want %v", c.now, got, c.want)
		}
	}
}

func TestPacerConcurrentCallersYieldOnce(t *testing.T) {
	var p Pacer
	var yields atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if p.due(int64(PaceInterval)) {
				yields.Add(1)
			}
		})
	}
	wg.Wait()
	if n := yields.Load(); n != 1 {
		t.Fatalf("%d of 32 concurrent callers yielded at one instant, want 1", n)
	}
}
