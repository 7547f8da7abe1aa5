package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
)

// semWaiters blocks perSem goroutines in Acquire on each of nsems
// semaphores, samples the OS threads for settle, then releases one unit
// per waiter, round robin over the semaphores, and measures how long each
// waiter took to return after the release that let it go (the k-th
// goroutine to return from a semaphore is paired with its k-th release).
func semWaiters(nsems, perSem int, settle time.Duration) (waitersResult, error) {
	var r waitersResult
	ss := make([]*ipcfs.SemFile, 0, nsems)
	var names []string
	defer func() {
		for i, s := range ss {
			s.Close()
			ipcfs.RemoveSem(names[i])
		}
	}()
	for i := range nsems {
		s, name, err := semCreate("-sw" + strconv.Itoa(i))
		if err != nil {
			return r, err
		}
		ss = append(ss, s)
		names = append(names, name)
	}

	base := time.Now()
	released := make([][]atomic.Int64, nsems) // per semaphore: release times, in order
	returned := make([]atomic.Int64, nsems)   // per semaphore: goroutines returned so far
	for i := range released {
		released[i] = make([]atomic.Int64, perSem)
	}
	lat := make([]time.Duration, nsems*perSem)
	var next atomic.Int64
	var ready, done sync.WaitGroup
	errs := make(chan error, 1)
	r.threadsBefore = osThreads()
	peak := sampleThreads(time.Millisecond)
	started := make([]int, nsems)
	for i, s := range ss {
		if osThreads() > threadLimit {
			break
		}
		for range perSem {
			ready.Add(1)
			done.Add(1)
			started[i]++
			go func() {
				defer done.Done()
				ready.Done()
				if err := s.Acquire(context.Background()); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
				now := time.Since(base)
				k := returned[i].Add(1) - 1
				lat[next.Add(1)-1] = now - time.Duration(released[i][k].Load())
			}()
		}
	}
	ready.Wait()
	for _, n := range started {
		r.blocked += n
	}
	// Wait until every goroutine is blocked: each is one registered waiter
	// (glibc's nwaiters, bytes 4-7 of the file).
	for deadline := time.Now().Add(time.Minute); semRegistered(names) < r.blocked; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return r, fmt.Errorf("only %d of %d goroutines blocked after a minute", semRegistered(names), r.blocked)
		}
	}
	waiting := sampleThreads(time.Millisecond)
	time.Sleep(settle) // a measurement window, not synchronisation
	r.threadsWaiting = waiting.finish()

	t0 := time.Now()
	for round := range perSem {
		for i, s := range ss {
			if round >= started[i] {
				continue
			}
			released[i][round].Store(int64(time.Since(base)))
			if err := s.Release(); err != nil {
				return r, err
			}
		}
	}
	done.Wait()
	r.wakeAll = time.Since(t0)
	r.threadsPeak = peak.finish()
	select {
	case err := <-errs:
		return r, err
	default:
	}
	got := lat[:next.Load()]
	slices.Sort(got)
	if len(got) > 0 {
		r.wakeP50 = got[len(got)/2]
		r.wakeP99 = got[len(got)*99/100]
	}
	if r.blocked != nsems*perSem {
		return r, fmt.Errorf("stopped at %d waiting goroutines: %d OS threads", r.blocked, r.threadsPeak)
	}
	return r, nil
}

// semRegistered returns the waiters registered on the named semaphores,
// read from their files (glibc's nwaiters, bytes 4-7, little-endian).
func semRegistered(names []string) int {
	n := 0
	for _, name := range names {
		b, err := os.ReadFile("/dev/shm/sem." + name[1:])
		if err != nil || len(b) < 8 {
			return -1
		}
		n += int(binary.LittleEndian.Uint32(b[4:8]))
	}
	return n
}

// semCancelLatency measures n times how long a waiting Acquire takes to
// return once its context is cancelled: a lone waiter (which sleeps in the
// kernel itself) and one queued behind another waiter of the process.
func semCancelLatency(n int) (lone, queued []time.Duration, err error) {
	s, name, err := semCreate("-sc")
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	defer ipcfs.RemoveSem(name)
	names := []string{name}
	waitRegistered := func(want int) error {
		for deadline := time.Now().Add(10 * time.Second); semRegistered(names) < want; time.Sleep(20 * time.Microsecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("%d waiters registered, want %d", semRegistered(names), want)
			}
		}
		return nil
	}
	one := func(extra int) (time.Duration, error) {
		var wg sync.WaitGroup
		defer wg.Wait() // last: after the cancels below
		bg, stopBg := context.WithCancel(context.Background())
		defer stopBg()
		if extra == 1 {
			wg.Go(func() { s.Acquire(bg) })
			if err := waitRegistered(1); err != nil {
				return 0, err
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ret := make(chan time.Time, 1)
		wg.Go(func() {
			s.Acquire(ctx)
			ret <- time.Now()
		})
		if err := waitRegistered(extra + 1); err != nil {
			return 0, err
		}
		time.Sleep(200 * time.Microsecond) // let it fall asleep: a measurement, not synchronisation
		t0 := time.Now()
		cancel()
		return (<-ret).Sub(t0), nil
	}
	for range n {
		d, err := one(0)
		if err != nil {
			return nil, nil, err
		}
		lone = append(lone, d)
		if d, err = one(1); err != nil {
			return nil, nil, err
		}
		queued = append(queued, d)
	}
	return lone, queued, nil
}

// BenchmarkSemWaiters10k: 10,000 goroutines blocked in Acquire, 100 on each
// of 100 semaphores, then woken by 10,000 releases. Reports the OS threads
// while they wait (target <= 16) and the wake-up latency. Run it with
// -benchtime=1x: each op is a whole cycle.
func BenchmarkSemWaiters10k(b *testing.B) {
	b.ReportAllocs()
	var last waitersResult
	for range b.N {
		r, err := semWaiters(100, 100, 200*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		last = r
	}
	b.ReportMetric(float64(last.blocked), "waiters")
	b.ReportMetric(float64(last.threadsWaiting), "threads-waiting")
	b.ReportMetric(float64(last.threadsPeak), "threads-peak")
	b.ReportMetric(float64(last.wakeP50.Nanoseconds()), "wake-p50-ns")
	b.ReportMetric(float64(last.wakeP99.Nanoseconds()), "wake-p99-ns")
	b.ReportMetric(float64(last.wakeAll.Nanoseconds())/1e6, "wake-all-ms")
}

// BenchmarkSemCancel: how long a waiting Acquire takes to return after its
// context is cancelled (target: within 1 ms), for a lone waiter and for a
// queued one; b.N rounds of each.
func BenchmarkSemCancel(b *testing.B) {
	lone, queued, err := semCancelLatency(b.N)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []struct {
		unit string
		ds   []time.Duration
	}{{"lone", lone}, {"queued", queued}} {
		slices.Sort(m.ds)
		b.ReportMetric(float64(m.ds[len(m.ds)/2].Nanoseconds()), m.unit+"-p50-ns")
		b.ReportMetric(float64(m.ds[len(m.ds)*99/100].Nanoseconds()), m.unit+"-p99-ns")
	}
}

func TestSemWaitersRun(t *testing.T) {
	r, err := semWaiters(3, 4, 10*time.Millisecond)
	skipUnsupported(t, err)
	if err != nil {
		t.Fatal(err)
	}
	if r.blocked != 12 {
		t.Errorf("blocked = %d, want 12", r.blocked)
	}
	if r.threadsWaiting <= 0 || r.wakeAll <= 0 {
		t.Errorf("threads %d, wake-all %v: want both > 0", r.threadsWaiting, r.wakeAll)
	}
	lone, queued, err := semCancelLatency(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(lone) != 3 || len(queued) != 3 {
		t.Errorf("cancel latencies: %d lone, %d queued; want 3 and 3", len(lone), len(queued))
	}
}
