package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
)

// waitersResult is what mqWaiters measures.
type waitersResult struct {
	blocked        int           // goroutines that were blocked receiving
	threadsBefore  int           // OS threads before the goroutines started
	threadsWaiting int           // most OS threads seen while they all waited
	threadsPeak    int           // most OS threads seen at any time
	wakeP50        time.Duration // send-to-return latency, median
	wakeP99        time.Duration // send-to-return latency, 99th percentile
	wakeAll        time.Duration // from the first send until every receiver returned
}

// threadLimit stops mqWaiters from starting more goroutines once the process
// uses this many OS threads: an implementation that blocks a thread per
// waiter would otherwise exhaust the machine.
const threadLimit = 512

// osThreads returns the number of OS threads of this process (the Threads
// line of /proc/self/status).
func osThreads() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	_, rest, ok := bytes.Cut(b, []byte("\nThreads:"))
	if !ok {
		return -1
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	n, err := strconv.Atoi(string(bytes.TrimSpace(line)))
	if err != nil {
		return -1
	}
	return n
}

// threadSampler records the largest osThreads value seen.
type threadSampler struct {
	max  atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func sampleThreads(every time.Duration) *threadSampler {
	s := &threadSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.observe()
			select {
			case <-s.stop:
				s.observe()
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *threadSampler) observe() {
	if n := int64(osThreads()); n > s.max.Load() {
		s.max.Store(n)
	}
}

func (s *threadSampler) finish() int {
	close(s.stop)
	<-s.done
	return int(s.max.Load())
}

// parkedWaiters counts goroutines parked inside MqFile waits (on the
// poller, or queued for the descriptor's read lock).
func parkedWaiters() int {
	buf := make([]byte, 64<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("(*MqFile).wait(")) &&
			(bytes.Contains(g, []byte("[IO wait")) || bytes.Contains(g, []byte("[semacquire")) || bytes.Contains(g, []byte("[sync."))) {
			n++
		}
	}
	return n
}

// mqWaiters blocks perQueue goroutines receiving on each of nq queues (two
// messages of 64 bytes), waits until every one is parked, samples the OS
// threads for settle, then sends one message per waiter, round robin over
// the queues, each carrying its send time and a sequence number, and
// measures how long each took to reach its receiver. A message received
// twice, or a receiver that gets no message, is an error.
func mqWaiters(nq, perQueue int, settle time.Duration) (waitersResult, error) {
	var r waitersResult
	attr := ipcfs.MqAttr{MaxMessages: 2, MessageSize: msgSize}
	qs := make([]*ipcfs.MqFile, 0, nq)
	defer func() {
		for _, q := range qs {
			q.Close()
		}
	}()
	for i := range nq {
		q, name, err := mqCreate("-w"+strconv.Itoa(i), attr)
		if err != nil {
			return r, err
		}
		ipcfs.RemoveMq(name)
		qs = append(qs, q)
	}

	base := time.Now()
	lat := make([]time.Duration, nq*perQueue)
	seen := make([]atomic.Bool, nq*perQueue)
	var next atomic.Int64
	var ready, done sync.WaitGroup
	errs := make(chan error, 1)
	r.threadsBefore = osThreads()
	peak := sampleThreads(time.Millisecond)
	started := make([]int, nq) // goroutines started per queue
	for i, q := range qs {
		if osThreads() > threadLimit {
			break
		}
		for range perQueue {
			ready.Add(1)
			done.Add(1)
			started[i]++
			go func() {
				defer done.Done()
				buf := make([]byte, msgSize)
				ready.Done()
				n, _, err := q.Receive(context.Background(), buf)
				if err == nil && n != msgSize {
					err = fmt.Errorf("received %d bytes, want %d", n, msgSize)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
				sent := time.Duration(binary.LittleEndian.Uint64(buf))
				if seq := binary.LittleEndian.Uint64(buf[8:]); seq >= uint64(len(seen)) || seen[seq].Swap(true) {
					select {
					case errs <- fmt.Errorf("message %d received twice or never sent", seq):
					default:
					}
					return
				}
				lat[next.Add(1)-1] = time.Since(base) - sent
			}()
		}
	}
	ready.Wait()
	for _, s := range started {
		r.blocked += s
	}
	for deadline := time.Now().Add(60 * time.Second); parkedWaiters() < r.blocked; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return r, fmt.Errorf("only %d of %d receivers parked", parkedWaiters(), r.blocked)
		}
	}
	waiting := sampleThreads(time.Millisecond)
	time.Sleep(settle) // a measurement window, not synchronisation
	r.threadsWaiting = waiting.finish()

	ctx := context.Background()
	msg := make([]byte, msgSize)
	t0 := time.Now()
	var seq uint64
	for round := range perQueue {
		for i, q := range qs {
			if round >= started[i] {
				continue
			}
			binary.LittleEndian.PutUint64(msg, uint64(time.Since(base)))
			binary.LittleEndian.PutUint64(msg[8:], seq)
			seq++
			if err := q.Send(ctx, msg, 0); err != nil {
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
	if r.blocked != nq*perQueue {
		return r, fmt.Errorf("stopped at %d waiting goroutines: %d OS threads", r.blocked, r.threadsPeak)
	}
	return r, nil
}

// BenchmarkMqWaiters10k: 10,000 goroutines blocked receiving, 100 on each of
// 100 queues, then woken by 10,000 messages. Reports the OS threads while
// they wait (target <= 16) and the wake-up latency. Run it with
// -benchtime=1x: each op is a whole cycle.
func BenchmarkMqWaiters10k(b *testing.B) {
	b.ReportAllocs()
	var rs []waitersResult
	for range b.N {
		r, err := mqWaiters(100, 100, 200*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		rs = append(rs, r)
	}
	last := rs[len(rs)-1]
	b.ReportMetric(float64(last.blocked), "waiters")
	b.ReportMetric(float64(last.threadsWaiting), "threads-waiting")
	b.ReportMetric(float64(last.threadsPeak), "threads-peak")
	b.ReportMetric(float64(last.wakeP50.Nanoseconds()), "wake-p50-ns")
	b.ReportMetric(float64(last.wakeP99.Nanoseconds()), "wake-p99-ns")
	b.ReportMetric(float64(last.wakeAll.Nanoseconds())/1e6, "wake-all-ms")
}

// TestMq10000WaitersUseFewThreads parks 100 receivers on each of 100
// queues and checks that the process stays within a few OS threads, then
// wakes them all by sending and checks that each received exactly one
// message.
func TestMq10000WaitersUseFewThreads(t *testing.T) {
	const queues, perQueue, maxThreads = 100, 100, 64
	r, err := mqWaiters(queues, perQueue, 10*time.Millisecond)
	skipUnsupported(t, err)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d goroutines parked on %d queues: %d OS threads (GOMAXPROCS %d); all woken in %v",
		r.blocked, queues, r.threadsWaiting, runtime.GOMAXPROCS(0), r.wakeAll)
	if r.blocked != queues*perQueue {
		t.Errorf("%d receivers blocked, want %d", r.blocked, queues*perQueue)
	}
	if r.threadsWaiting > maxThreads {
		t.Errorf("%d OS threads for %d waiters, want at most %d", r.threadsWaiting, r.blocked, maxThreads)
	}
}

func TestMqWaitersRun(t *testing.T) {
	r, err := mqWaiters(3, 4, 10*time.Millisecond)
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
}
