package mq

import (
	"fmt"
	"os"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// TestStructLayoutsMatchTheKernel checks the sizes and offsets of the
// structures against include/uapi (LP64: amd64 and arm64 alike).
func TestStructLayoutsMatchTheKernel(t *testing.T) {
	var a Attr
	var s Sigevent
	tests := []struct {
		what      string
		got, want uintptr
	}{
		{"sizeof(struct mq_attr)", unsafe.Sizeof(a), 64},
		{"offsetof(mq_flags)", unsafe.Offsetof(a.Flags), 0},
		{"offsetof(mq_maxmsg)", unsafe.Offsetof(a.Maxmsg), 8},
		{"offsetof(mq_msgsize)", unsafe.Offsetof(a.Msgsize), 16},
		{"offsetof(mq_curmsgs)", unsafe.Offsetof(a.Curmsgs), 24},
		{"offsetof(__reserved)", unsafe.Offsetof(a.Reserved), 32},
		{"sizeof(struct sigevent)", unsafe.Sizeof(s), 64},
		{"offsetof(sigev_value)", unsafe.Offsetof(s.Value), 0},
		{"offsetof(sigev_signo)", unsafe.Offsetof(s.Signo), 8},
		{"offsetof(sigev_notify)", unsafe.Offsetof(s.Notify), 12},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.what, tt.got, tt.want)
		}
	}
}

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
