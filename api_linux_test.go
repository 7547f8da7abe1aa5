package ipcfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestCapabilityConstantsOnLinux checks posix_ipc's capability constants
// against what this platform does.
func TestCapabilityConstantsOnLinux(t *testing.T) {
	for _, c := range []struct {
		name string
		got  bool
	}{
		{"MessageQueuesSupported", MessageQueuesSupported},
		{"SemaphoreTimeoutSupported", SemaphoreTimeoutSupported},
		{"SemaphoreValueSupported", SemaphoreValueSupported},
	} {
		if !c.got {
			t.Errorf("%s = false on Linux; want true", c.name)
		}
	}
	if SemValueMax != 1<<31-1 {
		t.Errorf("SemValueMax = %d; want INT_MAX", SemValueMax)
	}
	if QueuePriorityMax != 32767 {
		t.Errorf("QueuePriorityMax = %d; want 32767", QueuePriorityMax)
	}
}

// TestMqFdPollsReadableWhenAMessageArrives checks posix_ipc's use of
// fileno() with select: the descriptor Fd returns is a real queue
// descriptor that poll reports readable once a message is queued, and not
// before.
func TestMqFdPollsReadableWhenAMessageArrives(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	poll := func() int16 {
		t.Helper()
		fds := []unix.PollFd{{Fd: int32(q.Fd()), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				t.Fatalf("poll: %v", err)
			}
			return fds[0].Revents
		}
	}
	if r := poll(); r&unix.POLLIN != 0 {
		t.Fatalf("empty queue polls readable (revents %#x)", r)
	}
	mqSend(t, q, "x", 0)
	if r := poll(); r&unix.POLLIN == 0 {
		t.Fatalf("queue with a message does not poll readable (revents %#x)", r)
	}
	if msg, _ := mqRecv(t, q); msg != "x" {
		t.Errorf("received %q; want \"x\"", msg)
	}
}
