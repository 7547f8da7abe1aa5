//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && (386 || arm || mips || mipsle)

package mq

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Where the kernel lacks the _time64 calls (before Linux 5.1), the old
// ones with 32-bit seconds do the work, and a deadline they cannot hold
// is EOVERFLOW, as glibc reports it.
func TestOldCallsWhereTime64IsMissing(t *testing.T) {
	noTime64.Store(true)
	defer noTime64.Store(false)
	name := fmt.Sprintf("ipcfs-internal-mq-time32-%d", os.Getpid())
	fd, err := Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NONBLOCK, 0o600, &Attr{Maxmsg: 1, Msgsize: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer unix.Close(fd)
	defer Unlink(name)
	buf := make([]byte, 8)
	if _, _, err := TryReceive(fd, buf); err != unix.EAGAIN {
		t.Errorf("TryReceive(empty) = %v, want EAGAIN", err)
	}
	if err := TimedSendUntil(fd, []byte("x"), 2, &Timespec{Sec: 1 << 30}); err != nil {
		t.Fatalf("TimedSendUntil(year 2004) = %v", err)
	}
	if err := TrySend(fd, []byte("y"), 0); err != unix.EAGAIN {
		t.Errorf("TrySend(full) = %v, want EAGAIN", err)
	}
	if _, _, err := TimedReceiveUntil(fd, buf, &Timespec{Sec: 1 << 33}); err != unix.EOVERFLOW {
		t.Errorf("TimedReceiveUntil(year 2242) with 32-bit seconds only = %v, want EOVERFLOW", err)
	}
	if n, prio, err := TryReceive(fd, buf); err != nil || string(buf[:n]) != "x" || prio != 2 {
		t.Errorf("TryReceive = %q, %d, %v", buf[:n], prio, err)
	}
}
