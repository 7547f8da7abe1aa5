package ipcfs

// Waiting in the kernel: the fast path of a Send to a full queue and of a
// Receive from an empty one.
//
// A goroutine that has to wait first sleeps inside mq_timedreceive
// (mq_timedsend) itself, for at most mqSleepBound, and parks on the runtime
// poller (mq_io.go) only if nothing came by then. A receiver sleeping in the
// kernel is handed the message by the sender directly (the kernel's
// pipelined send: the message is never queued and no poll waiter is woken),
// and its thread runs on as soon as the kernel wakes it; a receiver parked
// on the poller is woken through epoll and then the scheduler, and dequeues
// the message with one more system call. The first is what makes a round
// trip between two processes as fast as C's; the second costs no thread
// while waiting, which is what lets thousands of goroutines wait.
//
// The blocking descriptor. The handle's own descriptor stays non-blocking
// for the poller, and a dup would share its O_NONBLOCK flag (a timed receive
// on it returns EAGAIN at once), so the queue is opened a second time
// through /proc/self/fd: a new open file description, with flags of its own.
// It is opened the first time a wait of the handle would block and closed
// by Close, never per wait: closing any descriptor of a queue cancels this
// process's notification registration on it. When it cannot be opened (the
// queue's permissions changed since the handle was opened, no /proc, no
// descriptor left), the handle waits on the poller alone. The descriptor is
// used only inside the os.File's RawConn callbacks, so the os.File's own
// reference count (internal/poll's) keeps Close from closing it, or freeing
// its number, while a thread sleeps in it: (*os.File).Close returns only
// once no callback runs, and then Close closes the blocking descriptor.
//
// The bound. Nothing ends such a sleep early: the Go runtime installs its
// signal handlers with SA_RESTART, and the kernel restarts the queue calls
// after them. So every sleep ends by itself, at an absolute CLOCK_REALTIME
// time (the kernel's only clock for queues) computed for that sleep: now
// plus mqSleepBound, or the wait's deadline or its context's if sooner. A
// cancelled context, a new deadline, SetNonblocking and Close therefore take
// effect within mqSleepBound. A wall-clock step backwards during a sleep
// lengthens that one sleep by the step (a step forwards shortens it); the
// wait then goes on on the poller, whose deadlines are monotonic. A wait
// sleeps in the kernel at most once, at its start.
//
// Trying first. A call normally starts with a non-blocking attempt on the
// handle's descriptor, and sleeps in the kernel only if that would block.
// Once an attempt would have blocked (a conversation: the next message
// tends to come after the call starts), the next mqDirectRun calls in that
// direction skip the attempt and call the kernel at once, since a blocking
// call with a message already queued returns it at once too: one system
// call per message, as C's mq_receive makes, instead of two.
//
// The yield. A goroutine that goes from one kernel sleep to the next is
// never rescheduled, and after 10 ms the runtime takes it for a hog and
// takes its P away in the middle of its sleeps; so in a conversation a
// call first lets the direction's sleepers.Pacer yield, once per 5 ms, as
// the semaphore sleepers do. Measured in the one-way latency benchmark
// (perf record of sched_switch with call stacks, 2,400 messages): without
// it, 5,275 context switches of sysmon, 496 P hand-offs and 192 returns
// from a sleep without a P; with a yield every 2 ms, 1,031 sysmon switches
// and no hand-off.
//
// The budget. A sleeping goroutine holds an OS thread, so sleeps draw on the
// process-wide budget of kernel sleepers that the semaphore engine uses too
// (internal/sleepers; TryAcquire: when it is spent, the goroutine parks on
// the poller at once). Within a handle, the poller's read and write locks
// let one receiving and one sending goroutine at a time try, sleep or park,
// so at most one goroutine per handle and direction sleeps in the kernel.
//
// Promises. What the kernel hands over is never lost: a sleep that received
// (or sent) a message completes the call successfully, even if its context
// was cancelled, its deadline passed or the handle was closed meanwhile. A
// sleep that ends without one has received (or sent) nothing, and the wait
// goes on, or ends, as a wait on the poller does.
//
// Notifications. A message handed to a goroutine sleeping in
// mq_timedreceive is never queued, so it fires no Notify registration (the
// kernel's rule for any blocked receiver, C's included); a goroutine parked
// on the poller is woken by the message arriving in the queue, which fires
// the registration first.

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sleepers"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// mqSleepBound is the longest a wait sleeps in the kernel before it parks
// on the poller, and so the longest a cancellation, a deadline change or
// Close takes to reach a goroutine sleeping there: 5 ms.
//
// Why not shorter. Every sleep with a timeout arms a kernel hrtimer; one
// that ends before the next scheduler tick (4 ms at this kernel's HZ=250)
// is the CPU's next event, so arming it and cancelling it when the message
// comes both reprogram the timer device, which on a virtual machine is a
// trap to the hypervisor. C's mq_receive sleeps with no timeout and arms
// nothing. Measured in the ping-pong benchmark (2 cores, perf stat and
// interleaved runs): a 1 ms bound took 26.1 µs per round trip at the median
// (5 runs) against 22.5 µs with 5 ms and C's 16.4 µs; C itself, given
// mq_timedreceive with now + 1 ms, slowed from 16.2 to 23.6 µs, and with
// now + 4 ms or more ran as without a timeout.
//
// Why not longer. The time a receiver sleeping in the kernel waits for its
// message in that ping-pong (8 runs of 12,000 to 18,000 waits, at load
// averages 8 to 18) is 15-17 µs at the median; 0.01-1.5 % of the waits took
// longer than 1 ms, all of them the peer waiting for a CPU. Past a few ms
// the poller's extra cost (about 10 µs per wake-up) is under 1 % of the
// wait, so a longer bound would only hold threads and delay cancellations
// and Close.
const mqSleepBound = 5 * time.Millisecond

// mqTestSleep, when non-zero, replaces mqSleepBound (negative: never sleep
// in the kernel). Only tests set it.
var mqTestSleep atomic.Int64

// mqSleepFD is a handle's blocking descriptor of its queue.
type mqSleepFD struct {
	acc int          // the handle's access mode, for the reopen
	mu  sync.Mutex   // serialises opening and closing
	fd  atomic.Int32 // the descriptor, mqSleepUnopened or mqSleepNone
}

const (
	mqSleepUnopened = -1 // not opened yet
	mqSleepNone     = -2 // could not be opened, or closed: the poller alone
)

func (s *mqSleepFD) init(acc int) {
	s.acc = acc
	s.fd.Store(mqSleepUnopened)
}

// get returns the blocking descriptor, opened again from the handle's
// descriptor fd on first use, or a negative number when there is none.
// Only RawConn callbacks call it.
func (s *mqSleepFD) get(fd int) int {
	if b := s.fd.Load(); b != mqSleepUnopened {
		return int(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.fd.Load(); b != mqSleepUnopened {
		return int(b)
	}
	b, err := mq.Reopen(fd, s.acc)
	if err != nil {
		s.fd.Store(mqSleepNone)
		return mqSleepNone
	}
	if b > math.MaxInt32 { // cannot happen: descriptors are ints in the kernel
		mq.Close(b)
		s.fd.Store(mqSleepNone)
		return mqSleepNone
	}
	s.fd.Store(int32(b))
	return b
}

// close closes the blocking descriptor, if it was opened. Close calls it
// once no RawConn callback can run any more.
func (s *mqSleepFD) close() {
	s.mu.Lock()
	b := s.fd.Swap(mqSleepNone)
	s.mu.Unlock()
	if b >= 0 {
		mq.Close(int(b))
	}
}

// sleepFD returns the blocking descriptor a wait sleeps on and the absolute
// wall-clock time (ns) its sleep ends, or ok false when it
// must not sleep in the kernel: it has had its chance already, a
// non-blocking or closed handle, a context or deadline already over, no
// blocking descriptor. fd is the handle's descriptor, side the direction.
func (o *mqOp) sleepFD(fd uintptr, side *mqSide) (bfd int, until int64, ok bool) {
	if o.slept {
		return -1, 0, false
	}
	o.slept = true
	q := o.q
	if q.nonblock.Load() || q.closed.Load() || o.ctx.Err() != nil {
		return -1, 0, false
	}
	d := mqSleepBound
	if t := mqTestSleep.Load(); t != 0 {
		d = time.Duration(t)
	}
	if d <= 0 {
		return -1, 0, false
	}
	if bfd = q.sleep.get(int(fd)); bfd < 0 {
		return -1, 0, false
	}
	now := time.Now()
	if dl, ok := o.ctx.Deadline(); ok {
		d = min(d, dl.Sub(now))
	}
	if dl := side.userDeadline(); !dl.IsZero() {
		d = min(d, dl.Sub(now))
	}
	if d <= 0 {
		return -1, 0, false
	}
	return bfd, now.UnixNano() + int64(d), true
}

// paceSleep is called before a call of this direction starts: in a
// conversation (the call will most likely sleep in the kernel) it lets the
// direction's sleepers.Pacer yield the processor once per
// sleepers.PaceInterval, so that a goroutine going from one kernel sleep to
// the next is not taken for one that hogs its P (see sleepers.Pacer). It
// runs outside the RawConn callback, holding no lock, and outside the time
// a message takes.
func (s *mqSide) paceSleep() {
	if s.direct.Load() > 0 {
		s.pace.BeforeSleep()
	}
}

// mqDirectRun is how many waits of a direction call the kernel without
// trying first, after a try found the queue empty (full): 16. Then one
// tries first again, so a conversation pays one extra system call per 17
// messages, and a reader that has fallen behind (whose tries succeed)
// leaves the direct way after at most 16 messages.
const mqDirectRun = 16

// takeDirect reports whether this wait calls the kernel without trying
// first, and counts it.
func (s *mqSide) takeDirect() bool {
	for {
		n := s.direct.Load()
		if n <= 0 {
			return false
		}
		if s.direct.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// sleepReceive is the receive of a wait in the kernel: mq_timedreceive into
// dst on the blocking descriptor, which returns at once if a message is
// queued, if the wait may sleep in the kernel and a slot of the sleeper
// budget is free (called reports whether it was made). EAGAIN: nothing
// received, park on the poller.
func (o *mqOp) sleepReceive(fd uintptr, dst []byte) (n int, prio uint, called bool, err error) {
	bfd, until, ok := o.sleepFD(fd, &o.q.rd)
	if !ok || !sleepers.TryAcquire() {
		return 0, 0, false, sys.EAGAIN
	}
	n, prio, err = mq.ReceiveBy(bfd, dst, until)
	sleepers.Release()
	return n, prio, true, err
}

// sleepSend is sleepReceive for a send: mq_timedsend, which sleeps while
// the queue is full.
func (o *mqOp) sleepSend(fd uintptr) (called bool, err error) {
	bfd, until, ok := o.sleepFD(fd, &o.q.wr)
	if !ok || !sleepers.TryAcquire() {
		return false, sys.EAGAIN
	}
	err = mq.SendBy(bfd, o.buf, o.prio, until)
	sleepers.Release()
	return true, err
}

// userDeadline returns the deadline the user set for this direction.
func (s *mqSide) userDeadline() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}
