//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of the kernel sleeps of waiting sends and receives (mq_sleep.go):
// the blocking descriptor, the hand-over, the bound, the shared budget, and
// what they change for notifications.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sleepers"
	"github.com/ipcfs/ipcfs/internal/testenv"
	"golang.org/x/sys/unix"
)

func init() {
	childRoles["mq-reopen-fails"] = mqChildReopenFails
}

// mqSetSleep makes kernel sleeps last d (negative: no kernel sleeps) until
// the test ends.
func mqSetSleep(t *testing.T, d time.Duration) {
	t.Helper()
	mqTestSleep.Store(int64(d))
	t.Cleanup(func() { mqTestSleep.Store(0) })
}

// mqTasksIn returns how many threads of this process are blocked in system
// call nr on descriptor fd (fd < 0: on any descriptor), from
// /proc/self/task/*/syscall.
func mqTasksIn(nr uintptr, fd int) int {
	paths, _ := filepath.Glob("/proc/self/task/*/syscall")
	n := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) < 2 || f[0] != strconv.FormatUint(uint64(nr), 10) {
			continue
		}
		if arg0, err := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 64); err == nil && (fd < 0 || arg0 == uint64(fd)) {
			n++
		}
	}
	return n
}

// mqAwaitKernelSleep waits until a goroutine of q sleeps in system call nr
// (SYS_MQ_TIMEDRECEIVE or SYS_MQ_TIMEDSEND) on q's blocking descriptor.
func mqAwaitKernelSleep(t *testing.T, q *MqFile, nr uintptr) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Microsecond) {
		if fd := q.sleep.fd.Load(); fd >= 0 && mqTasksIn(nr, int(fd)) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no goroutine of %s sleeps in system call %d on its blocking descriptor (%d)", q.Name(), nr, q.sleep.fd.Load())
		}
	}
}

// mqParkedOnPoller counts goroutines parked on the runtime poller inside an
// MqFile wait.
func mqParkedOnPoller() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("[IO wait")) && bytes.Contains(g, []byte("(*MqFile).wait(")) {
			n++
		}
	}
	return n
}

// mqAwaitParked waits until n goroutines are parked on the poller in a
// queue wait.
func mqAwaitParked(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); mqParkedOnPoller() < n; time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines parked on the poller, want %d", mqParkedOnPoller(), n)
		}
	}
}

type mqResult struct {
	msg string
	err error
}

func mqReceiveAsync(q *MqFile, ctx context.Context) <-chan mqResult {
	ch := make(chan mqResult, 1)
	go func() {
		buf := make([]byte, q.msgSize)
		n, _, err := q.Receive(ctx, buf)
		ch <- mqResult{string(buf[:n]), err}
	}()
	return ch
}

func mqSendAsync(q *MqFile, ctx context.Context, msg string) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- q.Send(ctx, []byte(msg), 0) }()
	return ch
}

func TestMqBlockedReceiveSleepsInTheKernelAndIsHandedTheMessage(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	mqSetSleep(t, time.Minute) // the send below, not the bound, ends the sleep
	q := mqCreate(t, 0, mqSmall)
	sender := mqOpenAgain(t, q, os.O_WRONLY)
	got := mqReceiveAsync(q, context.Background())
	mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
	if n := sleepers.InUse(); n < 1 {
		t.Errorf("sleepers.InUse() = %d while a receiver sleeps in the kernel, want >= 1", n)
	}
	if q.sleep.fd.Load() == int32(q.fd) {
		t.Fatalf("the blocking descriptor is the handle's own")
	}
	if a, err := mq.GetAttr(int(q.sleep.fd.Load())); err != nil || a.Flags&unix.O_NONBLOCK != 0 || a.Maxmsg != mqSmall.MaxMessages {
		t.Errorf("blocking descriptor: %+v, %v; want the queue's attributes, without O_NONBLOCK", a, err)
	}
	mqSend(t, sender, "direct", 0)
	if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "direct" {
		t.Fatalf("Receive = %q, %v; want direct", r.msg, r.err)
	}
	if n := mqCurMessages(t, q); n != 0 {
		t.Errorf("%d messages queued after the hand-over, want 0", n)
	}
	// Its try found the queue empty: the next receives call the kernel
	// without trying first, and one with a message queued returns it.
	if n := q.rd.direct.Load(); n != mqDirectRun {
		t.Errorf("after a receive whose try found the queue empty, %d direct calls to come, want %d", n, mqDirectRun)
	}
	mqSend(t, sender, "queued", 0)
	if msg, _ := mqRecv(t, q); msg != "queued" {
		t.Fatalf("got %q, want queued", msg)
	}
	if n := q.rd.direct.Load(); n != mqDirectRun-1 {
		t.Errorf("after a direct receive, %d direct calls to come, want %d", n, mqDirectRun-1)
	}
	// The descriptor is kept for the next wait, and closed with the handle.
	bfd := q.sleep.fd.Load()
	got = mqReceiveAsync(q, context.Background())
	mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
	if q.sleep.fd.Load() != bfd {
		t.Errorf("a second wait reopened the queue: descriptor %d, was %d", q.sleep.fd.Load(), bfd)
	}
	mqSend(t, sender, "again", 0)
	if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "again" {
		t.Fatalf("Receive = %q, %v; want again", r.msg, r.err)
	}
	q.Close()
	if q.sleep.fd.Load() != mqSleepNone {
		t.Errorf("blocking descriptor %d after Close, want none", q.sleep.fd.Load())
	}
	if _, err := unix.FcntlInt(uintptr(bfd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("blocking descriptor %d still open after Close: %v", bfd, err)
	}
}

func TestMqBlockedSendSleepsInTheKernel(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	mqSetSleep(t, time.Minute)
	q := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
	receiver := mqOpenAgain(t, q, os.O_RDONLY)
	mqSend(t, q, "first", 0)
	sent := mqSendAsync(q, context.Background(), "second")
	mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDSEND)
	if msg, _ := mqRecv(t, receiver); msg != "first" {
		t.Fatalf("got %q, want first", msg)
	}
	if err := mqAwait(t, sent, "the sender"); err != nil {
		t.Fatalf("blocked Send: %v", err)
	}
	if msg, _ := mqRecv(t, receiver); msg != "second" {
		t.Fatalf("got %q, want second", msg)
	}
}

// The kernel's rule (linux-ipc.md 7.4, 7.6): a message handed to a receiver
// sleeping in mq_timedreceive is never queued and fires no notification; a
// receiver parked on the poller is woken by the queued message, which fires
// the registration first.
func TestMqNotifyDoesNotFireForAMessageHandedToASleepingReceiver(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	for _, tc := range []struct {
		name  string
		sleep time.Duration
		fires bool
	}{
		{"kernel sleep", time.Minute, false},
		{"poller", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mqSetSleep(t, tc.sleep)
			q := mqCreate(t, 0, mqSmall)
			sender := mqOpenAgain(t, q, os.O_WRONLY)
			fired, err := q.NotifyChan()
			if err != nil {
				t.Fatal(err)
			}
			got := mqReceiveAsync(q, context.Background())
			if tc.fires {
				mqAwaitParked(t, 1)
			} else {
				mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
			}
			mqSend(t, sender, "m", 0)
			if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "m" {
				t.Fatalf("Receive = %q, %v", r.msg, r.err)
			}
			if tc.fires {
				mqAwait(t, fired, "the notification")
				if mqRegistered(t, q) {
					t.Errorf("registration still armed after it fired: %q", mqStatus(t, q))
				}
				return
			}
			if !mqRegistered(t, q) {
				t.Fatalf("the registration was consumed by a message handed to a sleeping receiver: %q", mqStatus(t, q))
			}
			// Still armed: the next message that finds the queue empty,
			// with no receiver waiting, fires it.
			mqSend(t, sender, "n", 0)
			mqAwait(t, fired, "the notification")
		})
	}
}

// A cancellation, a deadline, SetNonblocking or Close reaches a goroutine
// sleeping in the kernel when its sleep ends, and it has received or sent
// nothing.
func TestMqKernelSleepCutShortReceivesOrSendsNothing(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	mqSetSleep(t, 200*time.Millisecond) // long enough to be seen in the kernel
	type action struct {
		name string
		do   func(q *MqFile, cancel context.CancelFunc)
		want error
	}
	actions := []action{
		{"cancel", func(q *MqFile, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"deadline", func(q *MqFile, cancel context.CancelFunc) { q.SetDeadline(time.Now()) }, os.ErrDeadlineExceeded},
		{"nonblocking", func(q *MqFile, cancel context.CancelFunc) { q.SetNonblocking(true) }, ErrWouldBlock},
		{"close", func(q *MqFile, cancel context.CancelFunc) { q.Close() }, fs.ErrClosed},
	}
	for _, a := range actions {
		t.Run("receive/"+a.name, func(t *testing.T) {
			q := mqCreate(t, 0, mqSmall)
			other := mqOpenAgain(t, q, os.O_RDWR)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			got := mqReceiveAsync(q, ctx)
			mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
			a.do(q, cancel)
			if r := mqAwait(t, got, "the receiver"); !errors.Is(r.err, a.want) {
				t.Fatalf("Receive = %q, %v; want %v", r.msg, r.err, a.want)
			}
			mqSend(t, other, "after", 0)
			if n := mqCurMessages(t, other); n != 1 {
				t.Errorf("%d messages queued after the cut-short receive and one send, want 1", n)
			}
		})
		t.Run("send/"+a.name, func(t *testing.T) {
			q := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
			other := mqOpenAgain(t, q, os.O_RDWR)
			mqSend(t, q, "full", 0)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sent := mqSendAsync(q, ctx, "lost?")
			mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDSEND)
			a.do(q, cancel)
			if err := mqAwait(t, sent, "the sender"); !errors.Is(err, a.want) {
				t.Fatalf("Send = %v; want %v", err, a.want)
			}
			if msg, _ := mqRecv(t, other); msg != "full" {
				t.Errorf("got %q, want full", msg)
			}
			if n := mqCurMessages(t, other); n != 0 {
				t.Errorf("%d messages queued, want 0: the cut-short send sent", n)
			}
		})
	}
}

// A message the kernel hands to a sleeping goroutine is returned, even when
// the wait was being cut short meanwhile.
func TestMqMessageHandedOverDuringCancelOrCloseIsNotLost(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	mqSetSleep(t, time.Minute) // only the hand-over ends these sleeps
	t.Run("receive/cancel", func(t *testing.T) {
		q := mqCreate(t, 0, mqSmall)
		other := mqOpenAgain(t, q, os.O_WRONLY)
		ctx, cancel := context.WithCancel(context.Background())
		got := mqReceiveAsync(q, ctx)
		mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
		cancel()
		mqSend(t, other, "kept", 0)
		if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "kept" {
			t.Fatalf("Receive = %q, %v; want the message handed over", r.msg, r.err)
		}
	})
	t.Run("receive/close", func(t *testing.T) {
		q := mqCreate(t, 0, mqSmall)
		other := mqOpenAgain(t, q, os.O_RDWR)
		got := mqReceiveAsync(q, context.Background())
		mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
		closed := make(chan error, 1)
		go func() { closed <- q.Close() }()
		for !q.closed.Load() {
			runtime.Gosched()
		}
		mqSend(t, other, "kept", 0)
		if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "kept" {
			t.Fatalf("Receive = %q, %v; want the message handed over", r.msg, r.err)
		}
		if err := mqAwait(t, closed, "Close"); err != nil {
			t.Errorf("Close: %v", err)
		}
		if n := mqCurMessages(t, other); n != 0 {
			t.Errorf("%d messages queued, want 0", n)
		}
	})
	t.Run("send/cancel", func(t *testing.T) {
		q := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
		other := mqOpenAgain(t, q, os.O_RDONLY)
		mqSend(t, q, "first", 0)
		ctx, cancel := context.WithCancel(context.Background())
		sent := mqSendAsync(q, ctx, "second")
		mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDSEND)
		cancel()
		mqRecv(t, other) // makes room: the kernel moves the sleeping sender's message in
		if err := mqAwait(t, sent, "the sender"); err != nil {
			t.Fatalf("Send = %v; want nil: the kernel took the message", err)
		}
		if msg, _ := mqRecv(t, other); msg != "second" {
			t.Errorf("got %q, want second", msg)
		}
	})
}

// Kernel sleeps take slots of the process-wide sleeper budget shared with
// semaphores; when it is spent, waits park on the poller at once.
func TestMqKernelSleepsDrawOnTheSharedBudget(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	mqSetSleep(t, time.Minute)
	t.Run("spent", func(t *testing.T) {
		taken := 0
		for sleepers.TryAcquire() {
			taken++
		}
		defer func() {
			for range taken {
				sleepers.Release()
			}
		}()
		q := mqCreate(t, 0, mqSmall)
		other := mqOpenAgain(t, q, os.O_WRONLY)
		got := mqReceiveAsync(q, context.Background())
		mqAwaitParked(t, 1)
		if fd := q.sleep.fd.Load(); fd >= 0 && mqTasksIn(unix.SYS_MQ_TIMEDRECEIVE, int(fd)) != 0 {
			t.Errorf("a receiver sleeps in the kernel with the budget spent")
		}
		mqSend(t, other, "m", 0)
		if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "m" {
			t.Fatalf("Receive = %q, %v", r.msg, r.err)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		// 8 queues, 5 receivers each: at most one sleeper per handle and
		// direction, and never more than the budget, however many wait.
		const nq, per = 8, 5
		qs := make([]*MqFile, nq)
		senders := make([]*MqFile, nq)
		for i := range qs {
			qs[i] = mqCreate(t, 0, mqSmall)
			senders[i] = mqOpenAgain(t, qs[i], os.O_WRONLY)
		}
		var results []<-chan mqResult
		for _, q := range qs {
			for range per {
				results = append(results, mqReceiveAsync(q, context.Background()))
			}
		}
		for deadline := time.Now().Add(10 * time.Second); mqTasksIn(unix.SYS_MQ_TIMEDRECEIVE, -1) < sleepers.Budget; time.Sleep(100 * time.Microsecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d receivers sleep in the kernel, want the budget's %d", mqTasksIn(unix.SYS_MQ_TIMEDRECEIVE, -1), sleepers.Budget)
			}
		}
		mqAwaitParked(t, 1)
		for _, q := range qs {
			if fd := q.sleep.fd.Load(); fd >= 0 && mqTasksIn(unix.SYS_MQ_TIMEDRECEIVE, int(fd)) > 1 {
				t.Errorf("%d goroutines of one handle sleep in the kernel, want at most 1", mqTasksIn(unix.SYS_MQ_TIMEDRECEIVE, int(fd)))
			}
		}
		if n, k := sleepers.InUse(), mqTasksIn(unix.SYS_MQ_TIMEDRECEIVE, -1); n > sleepers.Budget || k > sleepers.Budget {
			t.Errorf("%d budget slots in use, %d threads in mq_timedreceive; want at most %d", n, k, sleepers.Budget)
		}
		for i := range nq * per {
			mqSend(t, senders[i%nq], "m", 0)
		}
		for _, ch := range results {
			if r := mqAwait(t, ch, "a receiver"); r.err != nil || r.msg != "m" {
				t.Fatalf("Receive = %q, %v", r.msg, r.err)
			}
		}
		if n := sleepers.InUse(); n != 0 {
			t.Errorf("sleepers.InUse() = %d with no waiter left, want 0", n)
		}
	})
}

// mqChildReopenFails opens a queue, then leaves the process no descriptor
// to open, so the handle cannot open its blocking descriptor: its waits use
// the poller alone, and still get their messages.
func mqChildReopenFails() int {
	fail := func(err error) int { fmt.Println(err); return 1 }
	name := fmt.Sprintf("/ipcfs-reopen-%d", os.Getpid())
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &mqSmall)
	if err != nil {
		return fail(err)
	}
	RemoveMq(name)
	defer q.Close()
	f, err := os.Open(os.DevNull)
	if err != nil {
		return fail(err)
	}
	lowest := f.Fd() // the lowest free descriptor: all below it are in use
	f.Close()
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: uint64(lowest), Max: uint64(lowest)}); err != nil {
		return fail(err)
	}
	if _, err := os.Open(os.DevNull); err == nil {
		return fail(errors.New("a descriptor could still be opened"))
	}
	var wg sync.WaitGroup
	var got string
	var rerr error
	wg.Go(func() {
		buf := make([]byte, 64)
		n, _, err := q.Receive(context.Background(), buf)
		got, rerr = string(buf[:n]), err
	})
	for deadline := time.Now().Add(10 * time.Second); mqParkedOnPoller() < 1; time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			return fail(errors.New("the receiver never parked on the poller"))
		}
	}
	if fd := q.sleep.fd.Load(); fd != mqSleepNone {
		return fail(fmt.Errorf("blocking descriptor %d, want none", fd))
	}
	if err := q.Send(context.Background(), []byte("via the poller"), 0); err != nil {
		return fail(err)
	}
	wg.Wait()
	if rerr != nil || got != "via the poller" {
		return fail(fmt.Errorf("Receive = %q, %v", got, rerr))
	}
	fmt.Println("ok")
	return 0
}

func TestMqWithoutABlockingDescriptorWaitsOnThePoller(t *testing.T) {
	out, err := childCommand(t, "mq-reopen-fails").Output()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("child: %v, said %q", err, out)
	}
}

func TestMqCallsInAConversationArePaced(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoGuestSyscalls)
	mqSetSleep(t, time.Minute) // the send below, not the bound, ends the sleep
	q := mqCreate(t, 0, mqSmall)
	sender := mqOpenAgain(t, q, os.O_WRONLY)
	// The first wait tries first: not yet a conversation, not paced.
	got := mqReceiveAsync(q, context.Background())
	mqAwaitKernelSleep(t, q, unix.SYS_MQ_TIMEDRECEIVE)
	mqSend(t, sender, "m", 0)
	if r := mqAwait(t, got, "the receiver"); r.err != nil || r.msg != "m" {
		t.Fatalf("Receive = %q, %v; want m", r.msg, r.err)
	}
	if n := q.rd.pace.Sleeps(); n != 0 {
		t.Errorf("the first receive went through the pacer %d times, want 0", n)
	}
	// Its try found the queue empty: the next receives are a conversation,
	// and each goes through the pacer before it calls the kernel.
	for i := range 3 {
		mqSend(t, sender, "n", 0)
		if msg, _ := mqRecv(t, q); msg != "n" {
			t.Fatalf("got %q, want n", msg)
		}
		if n := q.rd.pace.Sleeps(); n != uint32(i+1) {
			t.Errorf("after %d receives in a conversation, %d through the pacer, want %d", i+1, n, i+1)
		}
	}
	if n := q.wr.pace.Sleeps(); n != 0 {
		t.Errorf("sends, which never waited, went through the pacer %d times", n)
	}
}
