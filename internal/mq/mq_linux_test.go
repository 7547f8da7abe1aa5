//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package mq

import (
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

func TestNameWithNULIsRejected(t *testing.T) {
	if _, err := Open("a\x00b", 0, 0, nil); err == nil {
		t.Fatal("Open with a NUL in the name succeeded")
	}
}

// TestWrappersRoundTrip drives every wrapper once against the kernel.
func TestWrappersRoundTrip(t *testing.T) {
	name := fmt.Sprintf("ipcfs-internal-mq-%d", os.Getpid())
	fd, err := Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NONBLOCK, 0o600, &Attr{Maxmsg: 2, Msgsize: 16})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer unix.Close(fd)
	defer Unlink(name)

	var a Attr
	if err := GetSetAttr(fd, nil, &a); err != nil || a.Maxmsg != 2 || a.Msgsize != 16 || a.Flags != unix.O_NONBLOCK {
		t.Fatalf("GetSetAttr = %+v, %v", a, err)
	}
	if err := GetSetAttr(fd, &Attr{Flags: 1}, nil); err != unix.EINVAL {
		t.Errorf("setattr with a flag other than O_NONBLOCK: %v, want EINVAL", err)
	}
	if err := TimedSend(fd, []byte("a\x00b"), 7, nil); err != nil {
		t.Fatalf("TimedSend: %v", err)
	}
	if err := TimedSend(fd, nil, PrioMax, nil); err != unix.EINVAL {
		t.Errorf("TimedSend prio %d: %v, want EINVAL", PrioMax, err)
	}
	if _, _, err := TimedReceive(fd, make([]byte, 15), nil); err != unix.EMSGSIZE {
		t.Errorf("TimedReceive with a buffer below msgsize: %v, want EMSGSIZE", err)
	}
	buf := make([]byte, 16)
	n, prio, err := TimedReceive(fd, buf, nil)
	if err != nil || string(buf[:n]) != "a\x00b" || prio != 7 {
		t.Errorf("TimedReceive = %q, %d, %v", buf[:n], prio, err)
	}
	if _, _, err := TimedReceive(fd, buf, nil); err != unix.EAGAIN {
		t.Errorf("TimedReceive on empty non-blocking queue: %v, want EAGAIN", err)
	}
	t.Run("Notify", func(t *testing.T) {
		testenv.SkipIfEmulated(t, testenv.NoMqNotify)
		if err := Notify(fd, &Sigevent{Notify: SigevNone}); err != nil {
			t.Errorf("Notify(SIGEV_NONE): %v", err)
		}
		if err := Notify(fd, &Sigevent{Notify: SigevNone}); err != unix.EBUSY {
			t.Errorf("second Notify: %v, want EBUSY", err)
		}
		if err := Notify(fd, nil); err != nil {
			t.Errorf("Notify(nil): %v", err)
		}
	})
	if err := Unlink(name); err != nil {
		t.Errorf("Unlink: %v", err)
	}
	if err := Unlink(name); err != unix.ENOENT {
		t.Errorf("second Unlink: %v, want ENOENT", err)
	}
}

// Deadlines past 2038 reach the kernel whole: 64-bit seconds on every
// architecture (the _time64 calls on 32-bit machines). The kernel reads
// the timeout before it looks at the queue, so a negative one is EINVAL
// even on a non-blocking descriptor.
func TestDeadlinesPast2038(t *testing.T) {
	name := fmt.Sprintf("ipcfs-internal-mq-y2038-%d", os.Getpid())
	fd, err := Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NONBLOCK, 0o600, &Attr{Maxmsg: 1, Msgsize: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer unix.Close(fd)
	defer Unlink(name)
	buf := make([]byte, 8)
	year2242 := &Timespec{Sec: 1 << 33}
	if _, _, err := TimedReceiveUntil(fd, buf, year2242); err != unix.EAGAIN {
		t.Errorf("TimedReceiveUntil(empty, year 2242) = %v, want EAGAIN", err)
	}
	if _, _, err := TimedReceiveUntil(fd, buf, &Timespec{Sec: -1}); err != unix.EINVAL {
		t.Errorf("TimedReceiveUntil(negative seconds) = %v, want EINVAL", err)
	}
	if err := TimedSendUntil(fd, []byte("y2038"), 1, year2242); err != nil {
		t.Fatalf("TimedSendUntil(year 2242) = %v", err)
	}
	if err := TimedSendUntil(fd, []byte("full"), 1, year2242); err != unix.EAGAIN {
		t.Errorf("TimedSendUntil(full, year 2242) = %v, want EAGAIN", err)
	}
	if n, prio, err := TimedReceiveUntil(fd, buf, year2242); err != nil || string(buf[:n]) != "y2038" || prio != 1 {
		t.Errorf("TimedReceiveUntil = %q, %d, %v", buf[:n], prio, err)
	}
}

// The received priority lands in the caller's variable even when the
// goroutine's stack grows (and moves) on the way into the system call: a
// fresh goroutine at every stack depth up to a few pages receives a
// message. (Regression: the priority's address once crossed a Go function
// as a uintptr and the kernel wrote into the old stack.)
func TestReceivedPriorityWhileTheStackMoves(t *testing.T) {
	name := fmt.Sprintf("ipcfs-internal-mq-stack-%d", os.Getpid())
	fd, err := Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NONBLOCK, 0o600, &Attr{Maxmsg: 1, Msgsize: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer unix.Close(fd)
	defer Unlink(name)
	for depth := range 300 {
		if err := TrySend(fd, []byte("p"), 9); err != nil {
			t.Fatalf("TrySend: %v", err)
		}
		got := make(chan uint)
		go func() { got <- receiveAtDepth(t, fd, depth) }()
		if prio := <-got; prio != 9 {
			t.Fatalf("at stack depth %d: received priority %d, want 9", depth, prio)
		}
	}
}

// receiveAtDepth receives one message from fd after depth nested calls,
// each using some stack, and returns its priority.
func receiveAtDepth(t *testing.T, fd, depth int) uint {
	var pad [64]byte
	if depth > 0 {
		pad[depth%64] = byte(depth)
		return receiveAtDepth(t, fd, depth-1) + uint(pad[depth%64]-byte(depth))
	}
	_, prio, err := TryReceive(fd, make([]byte, 8))
	if err != nil {
		t.Errorf("TryReceive: %v", err)
	}
	return prio
}

// TestReopenedDescriptorBlocksWithADeadline checks Reopen, ReceiveBy and
// SendBy: the reopened descriptor is a description of its own (no
// O_NONBLOCK even though the original has it), a receive on it sleeps until
// a message comes or the deadline passes (EAGAIN), and so does a send to a
// full queue.
func TestReopenedDescriptorBlocksWithADeadline(t *testing.T) {
	name := fmt.Sprintf("ipcfs-internal-mq-reopen-%d", os.Getpid())
	fd, err := Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NONBLOCK, 0o600, &Attr{Maxmsg: 1, Msgsize: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer unix.Close(fd)
	defer Unlink(name)
	bfd, err := Reopen(fd, unix.O_RDWR)
	if err != nil {
		t.Fatalf("Reopen: %v", err)
	}
	defer unix.Close(bfd)
	if a, err := GetAttr(bfd); err != nil || a.Flags != 0 || a.Maxmsg != 1 {
		t.Fatalf("reopened descriptor: %+v, %v; want the queue without O_NONBLOCK", a, err)
	}
	if fl, err := unix.FcntlInt(uintptr(bfd), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("reopened descriptor flags %#x, %v; want close-on-exec", fl, err)
	}
	buf := make([]byte, 8)
	if _, _, err := ReceiveBy(bfd, buf, time.Now().Add(20*time.Millisecond).UnixNano()); err != unix.EAGAIN {
		t.Errorf("ReceiveBy on an empty queue: %v, want EAGAIN at the deadline", err)
	}
	if err := SendBy(bfd, []byte("a"), 1, time.Now().Add(time.Second).UnixNano()); err != nil {
		t.Fatalf("SendBy: %v", err)
	}
	if err := SendBy(bfd, []byte("b"), 1, time.Now().Add(10*time.Millisecond).UnixNano()); err != unix.EAGAIN {
		t.Errorf("SendBy to a full queue: %v, want EAGAIN at the deadline", err)
	}
	if n, prio, err := ReceiveBy(bfd, buf, time.Now().Add(time.Second).UnixNano()); err != nil || string(buf[:n]) != "a" || prio != 1 {
		t.Errorf("ReceiveBy = %q, %d, %v; want a/1", buf[:n], prio, err)
	}
	if _, err := Reopen(-1, unix.O_RDONLY); err == nil {
		t.Errorf("Reopen of a bad descriptor succeeded")
	}
}
