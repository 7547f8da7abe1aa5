package sem

// The waiting engine. A goroutine that must wait for a unit either
//
//   - sleeps in the kernel itself ("direct"), as a glibc waiter does, when
//     it is the only waiter of this process on the semaphore and a slot of
//     the sleeper budget is free (internal/sleepers): it registers in
//     nwaiters and sleeps with futex_waitv on the semaphore's word and on a
//     private word of its own, through which Close, SetDeadline and its
//     context wake it without waking anyone else. This keeps a lone waiter
//     (ping-pong between processes) at C's speed. Every kernel sleeper
//     yields once per 5 ms (sleepers.Pacer): a goroutine that only ever
//     sleeps in futex calls and wakes would otherwise be taken for a hog by
//     the Go runtime, which then takes its P at almost every sleep.
//   - or queues in Go ("queued"): it registers in nwaiters, joins the
//     semaphore's queue and blocks on a channel, together with its context,
//     deadline timer and handle; no thread, no polling. A sleeper (watcher.go)
//     sleeps in the kernel on the word on behalf of every queued goroutine of
//     the semaphore; when it finds a unit it takes it for the oldest queued
//     goroutine (taking the unit and that goroutine's registration in one
//     step, exactly as a glibc waiter takes its own) and hands it over.
//
// To the other processes each waiting goroutine is one ordinary registered
// waiter: a post wakes one kernel sleeper, and whoever is woken either takes
// a unit for a registered waiter or, when it stops sleeping with units left
// and waiters registered, passes the wake-up on (Word.unregister, passOn).
// A goroutine that gives up after a unit was taken for it gives it back
// with a post.

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sleepers"
)

// waitEntry is one goroutine's wait on a semaphore.
type waitEntry struct {
	h *Handle // whose Close and SetDeadline interrupt the wait

	// Direct: the goroutine sleeps on the semaphore's word and on ctl,
	// which wake bumps and wakes privately.
	ctl      uint32
	ws       [2]futex.Waitv
	deadline futex.Timespec

	// Queued: ready is poked when a unit was taken for the goroutine
	// (granted, guarded by Object.mu) and when it must re-check why it
	// waits.
	ready      chan struct{}
	granted    bool
	prev, next *waitEntry
	timer      *time.Timer
}

var entries = sync.Pool{New: func() any { return &waitEntry{ready: make(chan struct{}, 1)} }}

func getWaiter(h *Handle) *waitEntry {
	w := entries.Get().(*waitEntry)
	w.h = h
	return w
}

func putWaiter(w *waitEntry) {
	select {
	case <-w.ready:
	default:
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	w.h, w.granted, w.prev, w.next = nil, false, nil, nil
	entries.Put(w)
}

// poke makes a queued waiter re-check its state.
func (w *waitEntry) poke() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

// wake makes a direct waiter return from its sleep and re-check.
func (w *waitEntry) wake() {
	atomic.AddUint32(&w.ctl, 1)
	futex.WakePrivate(&w.ctl, 1)
}

// queue is a FIFO of queued waiters.
type queue struct {
	head, tail *waitEntry
	n          int
}

func (q *queue) empty() bool { return q.head == nil }

func (q *queue) push(w *waitEntry) {
	w.prev, w.next = q.tail, nil
	if q.tail != nil {
		q.tail.next = w
	} else {
		q.head = w
	}
	q.tail = w
	q.n++
}

func (q *queue) remove(w *waitEntry) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev, w.next = nil, nil
	q.n--
}

// errWaitvFailed says futex_waitv failed in a way the engine cannot wait
// through; the wait goes on queued, behind a fallback sleeper.
var errWaitvFailed = errors.New("futex_waitv failed")

// wait takes a unit for a goroutine of handle h that found none.
func (o *Object) wait(h *Handle, ctx context.Context) error {
	w := getWaiter(h)
	defer putWaiter(w)
	o.mu.Lock()
	if o.direct == nil && o.queue.empty() && useWaitv() && sleepers.TryAcquire() {
		o.direct = w
		o.mu.Unlock()
		err := o.waitDirect(w, ctx)
		o.mu.Lock()
		o.direct = nil
		o.mu.Unlock()
		sleepers.Release()
		if err != errWaitvFailed {
			return err
		}
		waitvBroken.Store(true)
		o.mu.Lock()
	}
	if o.word.register() {
		o.mu.Unlock()
		return nil
	}
	o.queue.push(w)
	t := o.watch()
	o.mu.Unlock()
	if t != nil {
		t.wake()
	}
	return o.waitQueued(w, ctx)
}

// waitDirect is the wait of a goroutine that sleeps in the kernel itself:
// glibc's __new_sem_wait_slow64 with futex_waitv on the semaphore's word and
// the waiter's private word.
func (o *Object) waitDirect(w *waitEntry, ctx context.Context) error {
	h := w.h
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { o.wakeDirect(w) })
		defer stop()
	}
	if o.word.register() {
		return nil
	}
	for {
		o.pace.BeforeSleep()
		seq := atomic.LoadUint32(&w.ctl) // before the checks: a wake after them ends the sleep
		if err := h.stopReason(ctx); err != nil {
			o.word.unregister()
			return err
		}
		if o.word.takeRegistered() {
			return nil
		}
		var dl *futex.Timespec
		if d, ok := h.waitDeadline(ctx); ok {
			w.deadline = futex.Monotonic(time.Until(d))
			dl = &w.deadline
		}
		w.ws[0] = futex.Shared(o.word.futexAddr(), o.word.armSleep())
		w.ws[1] = futex.Private(&w.ctl, seq)
		if _, err := futex.WaitMultiple(w.ws[:], dl); !futex.Transient(err) {
			o.word.unregister()
			return errWaitvFailed
		}
		// Woken, the word moved, or time is up: re-check.
	}
}

// wakeDirect wakes w if it is still the direct waiter: what its context's
// AfterFunc does.
func (o *Object) wakeDirect(w *waitEntry) {
	o.mu.Lock()
	if o.direct == w {
		w.wake()
	}
	o.mu.Unlock()
}

// waitQueued is the wait of a queued goroutine, registered and in o.queue,
// until a unit is granted to it or it must stop.
func (o *Object) waitQueued(w *waitEntry, ctx context.Context) error {
	h := w.h
	for {
		var timeout <-chan time.Time
		if rdl := h.deadline.Load(); h.state.Load()&stateDeadline != 0 && rdl != nil {
			d := time.Until(*rdl)
			if w.timer == nil {
				w.timer = time.NewTimer(d)
			} else {
				w.timer.Reset(d)
			}
			timeout = w.timer.C
		}
		select {
		case <-w.ready:
		case <-ctx.Done():
		case <-timeout:
		}
		o.mu.Lock()
		err := h.stopReason(ctx)
		if err == nil {
			granted := w.granted
			o.mu.Unlock()
			if granted {
				return nil
			}
			continue // a poke to re-check (the deadline moved)
		}
		granted := w.granted
		var t *watcher
		if !granted {
			o.queue.remove(w)
			o.word.withdraw()
			if o.queue.empty() {
				t = o.watcher // it stops watching, and passes on what it consumed
			}
		}
		o.mu.Unlock()
		if t != nil {
			t.wake()
		}
		if granted {
			owed, perr := o.word.post()
			if perr != nil {
				return nil // cannot give the unit back (the value reached ValueMax meanwhile): it is ours
			}
			if owed {
				o.posted()
			}
		}
		return err
	}
}

// serve takes units for queued waiters, oldest first, while there are both,
// and hands them over. o.mu is held.
func (o *Object) serve() {
	for !o.queue.empty() && o.word.takeRegistered() {
		w := o.queue.head
		o.queue.remove(w)
		w.granted = true
		w.poke()
	}
}

// posted pays the wake-up a post owes to registered waiters: if goroutines
// of this process are queued, the unit goes straight to the oldest (no
// system call, no thread woken); otherwise one sleeper on the word is
// woken, as glibc's sem_post does.
func (o *Object) posted() {
	o.mu.Lock()
	if !o.queue.empty() {
		o.serve() // takes the unit unless someone already did: either way, none is owed
		var t *watcher
		if o.queue.empty() {
			t = o.watcher // it stops watching
		}
		o.mu.Unlock()
		if t != nil {
			t.wake()
		}
		return
	}
	o.mu.Unlock()
	o.word.wake()
}

// interrupt makes the waits of handle h re-check why they wait: after
// Close or SetDeadline.
func (o *Object) interrupt(h *Handle) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for w := o.queue.head; w != nil; w = w.next {
		if w.h == h {
			w.poke()
		}
	}
	if o.direct != nil && o.direct.h == h {
		o.direct.wake()
	}
}

// Waiting returns the number of goroutines of this process waiting on the
// semaphore now.
func (o *Object) Waiting() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.queue.n
	if o.direct != nil {
		n++
	}
	return n
}
