package sleepers

import (
	"runtime"
	"sync/atomic"
	"time"
)

// PaceInterval is how often a Pacer yields: half of the 10 ms after which
// the Go runtime takes a goroutine that has not passed through the
// scheduler for a hog (runtime.forcePreemptNS).
const PaceInterval = 5 * time.Millisecond

// Pacer keeps a goroutine that sleeps in the kernel again and again from
// looking, to the Go scheduler, like one that never gives up its P.
//
// The runtime's monitor (sysmon) preempts a goroutine that has run for
// 10 ms without passing through the scheduler. A goroutine inside a system
// call cannot be preempted, so sysmon takes its P instead, whenever it
// finds it in any system call, however short, and hands the P to another
// thread (runtime.retake, handoffp). A goroutine that plays ping-pong with
// another process — post, sleep in futex, wake, post, sleep ... — returns
// from every system call on its own P and never passes through the
// scheduler, so after its first 10 ms it is taken for a hog for good: its
// P is taken at almost every sleep, another thread is woken to hold it,
// the goroutine finds no P when it wakes and moves to yet another thread,
// and sysmon, finding work each time, polls every 20 µs instead of backing
// off to 10 ms. Measured on two processes playing ping-pong through raw
// futex calls (2 cores): 0.7 context switches and 1 system call per round
// trip more than C, and twice C's system time; with a Pacer, the same
// counts as C (2.0 context switches, 2.1 system calls).
//
// A Pacer yields (runtime.Gosched) at most once per PaceInterval, before a
// sleep: that passes the goroutine through the scheduler often enough that
// it is never taken for a hog, at the cost of one yield per 5 ms of
// sleeping. It reads the clock only at every checkEvery-th sleep (a clock
// read costs 70 ns on this project's 2-core VM, 1% of a ping-pong round
// trip); a goroutine whose sleeps are so long that checkEvery of them last
// 5 ms is seldom found in a short one, and loses little when it is. The
// zero Pacer is ready to use; it is safe for concurrent use.
type Pacer struct {
	calls atomic.Uint32 // BeforeSleep calls
	last  atomic.Int64  // when it last yielded, in ns since epoch
}

// checkEvery is how many sleeps pass between two looks at the clock.
const checkEvery = 8

var epoch = time.Now()

// BeforeSleep is called by a goroutine about to sleep in the kernel; it
// yields if the Pacer has not yielded for PaceInterval.
func (p *Pacer) BeforeSleep() {
	if p.calls.Add(1)%checkEvery == 0 && p.due(int64(time.Since(epoch))) {
		runtime.Gosched()
	}
}

// due reports whether a yield is due at now (ns since epoch), and if so
// records it, so that of concurrent callers only one yields.
func (p *Pacer) due(now int64) bool {
	last := p.last.Load()
	return now-last >= int64(PaceInterval) && p.last.CompareAndSwap(last, now)
}

// Sleeps returns how many BeforeSleep calls p has seen.
func (p *Pacer) Sleeps() uint32 { return p.calls.Load() }
