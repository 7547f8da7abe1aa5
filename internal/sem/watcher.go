package sem

// The sleepers that wait in the kernel for queued goroutines.
//
// Where futex_waitv works (Linux 5.16+), one watcher thread sleeps on the
// words of up to futex.MaxWaitv-1 semaphores at once, plus a private word
// of its own through which it is told that a semaphore was added or that
// a semaphore's queue emptied (a goroutine gave up): so a cancelled wait
// wakes no sleeper in any other process. Watchers exist only while some
// goroutine is queued: the last one out ends the thread.
//
// Elsewhere (ENOSYS: older kernels, seccomp filters, qemu-user), each
// semaphore with queued goroutines has its own fallback sleeper in
// FUTEX_WAIT on its word. Nothing can wake it privately, so it sleeps in
// slices of fallbackSlice and ends at the first wake-up or slice end after
// its queue emptied; the queued goroutines themselves never poll.

import (
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sleepers"
)

// fallbackSlice bounds one sleep of a fallback sleeper: how long it may
// outlive the last goroutine it watched for.
const fallbackSlice = time.Second

var (
	// forceFallback makes the engine use fallback sleepers and no direct
	// waits even where futex_waitv works: SetFallback, or
	// IPCFS_SEM_FALLBACK=1 in the environment, for tests.
	forceFallback atomic.Bool
	// waitvBroken is set when futex_waitv failed in a way no retry helps.
	waitvBroken atomic.Bool
)

func init() {
	if os.Getenv("IPCFS_SEM_FALLBACK") == "1" {
		forceFallback.Store(true)
	}
}

// SetFallback makes waits from now on use the fallback that runs where
// futex_waitv is missing (on), or not (off), and returns the previous
// setting. It exists so the fallback is tested on every kernel; setting
// IPCFS_SEM_FALLBACK=1 in the environment does the same for a whole
// process.
func SetFallback(on bool) bool { return forceFallback.Swap(on) }

// useWaitv reports whether waits use futex_waitv (direct waits, watchers).
func useWaitv() bool {
	return !forceFallback.Load() && !waitvBroken.Load() && futex.WaitvSupported()
}

// watcher is a thread sleeping with futex_waitv on the words of the
// semaphores in objs, for their queued goroutines.
type watcher struct {
	ctl  uint32    // private word: bumped and woken when objs changed
	objs []*Object // guarded by pool.mu
	ws   [futex.MaxWaitv]futex.Waitv
	pace sleepers.Pacer
}

// pool holds the running watchers.
var pool struct {
	mu sync.Mutex
	ws []*watcher
}

// fallbacks counts the running fallback sleepers.
var fallbacks atomic.Int32

// Sleepers returns the number of watcher threads and of fallback sleepers
// running now (direct waiters are goroutines of Acquire, not counted).
func Sleepers() (watchers, fallbackSleepers int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return len(pool.ws), int(fallbacks.Load())
}

// wake tells t to look at its semaphores again.
func (t *watcher) wake() {
	atomic.AddUint32(&t.ctl, 1)
	futex.WakePrivate(&t.ctl, 1)
}

// watch makes sure a sleeper watches o for its queue, which is not empty,
// and returns a watcher to wake (after o.mu is released) if it must start
// sleeping on o. o.mu is held.
func (o *Object) watch() *watcher {
	if o.watcher != nil || o.fallback {
		return nil // already watched: the new waiter changed nothing it sleeps on
	}
	o.ref()
	if !useWaitv() {
		o.fallback = true
		fallbacks.Add(1)
		sleepers.Acquire()
		go o.runFallback()
		return nil
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	var t *watcher
	for _, c := range pool.ws {
		if len(c.objs) < futex.MaxWaitv-1 {
			t = c
			break
		}
	}
	if t == nil {
		t = new(watcher)
		pool.ws = append(pool.ws, t)
		sleepers.Acquire()
		go t.run()
	}
	t.objs = append(t.objs, o)
	o.watcher = t
	return t
}

// run is the watcher's thread: serve the queues of its semaphores, sleep
// on the words of those with goroutines still queued, repeat; end when
// none is left.
func (t *watcher) run() {
	var objs []*Object
	for {
		seq := atomic.LoadUint32(&t.ctl) // before the look: a change after it ends the sleep
		pool.mu.Lock()
		objs = append(objs[:0], t.objs...)
		pool.mu.Unlock()
		n := 0
		for _, o := range objs {
			o.mu.Lock()
			o.serve()
			if o.queue.empty() {
				t.drop(o)
				o.word.passOn()
				o.mu.Unlock()
				o.unref()
				continue
			}
			t.ws[n] = futex.Shared(o.word.futexAddr(), o.word.armSleep())
			n++
			o.mu.Unlock()
		}
		clear(objs)
		if n == 0 {
			pool.mu.Lock()
			if len(t.objs) == 0 {
				pool.ws = slices.DeleteFunc(pool.ws, func(c *watcher) bool { return c == t })
				pool.mu.Unlock()
				sleepers.Release()
				return
			}
			pool.mu.Unlock()
			continue
		}
		t.ws[n] = futex.Private(&t.ctl, seq)
		t.pace.BeforeSleep()
		if _, err := futex.WaitMultiple(t.ws[:n+1], nil); !futex.Transient(err) {
			waitvBroken.Store(true)
			t.abandon()
			return
		}
	}
}

// drop stops t watching o. o.mu is held.
func (t *watcher) drop(o *Object) {
	pool.mu.Lock()
	t.objs = slices.DeleteFunc(t.objs, func(c *Object) bool { return c == o })
	pool.mu.Unlock()
	o.watcher = nil
}

// abandon hands t's semaphores to fallback sleepers and ends t: after
// futex_waitv failed in a way no retry helps.
func (t *watcher) abandon() {
	pool.mu.Lock()
	objs := slices.Clone(t.objs)
	pool.ws = slices.DeleteFunc(pool.ws, func(c *watcher) bool { return c == t })
	pool.mu.Unlock()
	for _, o := range objs {
		o.mu.Lock()
		t.drop(o)
		if !o.queue.empty() {
			o.watch() // a fallback sleeper now: waitvBroken is set
		}
		o.word.passOn()
		o.mu.Unlock()
		o.unref()
	}
	sleepers.Release()
}

// runFallback is the fallback sleeper of o: serve the queue, sleep on the
// word in FUTEX_WAIT for at most fallbackSlice, repeat; end once the queue
// is empty.
func (o *Object) runFallback() {
	for {
		o.mu.Lock()
		o.serve()
		if o.queue.empty() {
			o.fallback = false
			fallbacks.Add(-1)
			o.word.passOn()
			o.mu.Unlock()
			sleepers.Release()
			o.unref()
			return
		}
		val := o.word.armSleep() // for the registered waiters still queued
		o.mu.Unlock()
		o.pace.BeforeSleep()
		futex.Wait(o.word.futexAddr(), val, fallbackSlice)
	}
}
