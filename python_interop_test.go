//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// pythonPeer is the Python side of TestPosixIPCInterop, written against
// posix_ipc 1.1.1 as its own demos are: it receives Go's message, reads Go's
// bytes from the segment, answers both, releases the semaphore Go is
// blocked on, then blocks on the one Go releases next.
const pythonPeer = `
import mmap, sys, posix_ipc
sa, sb, qn, shn = sys.argv[1:5]
a, b = posix_ipc.Semaphore(sa), posix_ipc.Semaphore(sb)
q = posix_ipc.MessageQueue(qn)
shm = posix_ipc.SharedMemory(shn)
m = mmap.mmap(shm.fd, shm.size)
shm.close_fd()
msg, prio = q.receive(10)
if (msg, prio) != (b"ping from go", 3):
    sys.exit("queue: got %r priority %d" % (msg, prio))
if m[0:13] != b"hello from go":
    sys.exit("segment: got %r" % m[0:13])
if q.max_messages != 4 or q.max_message_size != 64:
    sys.exit("queue attributes: %d %d" % (q.max_messages, q.max_message_size))
m[100:117] = b"hello from python"
q.send(b"pong from python", priority=5)
b.release()
a.acquire(10)
print("ok", a.value, b.value)
`

// TestPosixIPCInterop pairs ipcfs with Python's posix_ipc (the reference
// implementation) on one semaphore each way, a queue each way (message,
// priority and attributes) and a segment each way. Go blocks in Acquire
// before Python's sem_post can reach it, so glibc's post wakes an ipcfs
// waiter. It needs python3 with posix_ipc importable (posix_ipc is not on
// PyPI's mirrors here: build it in place, python3 setup.py build_ext
// --inplace, and put the directory on PYTHONPATH); it skips, saying so,
// without it.
func TestPosixIPCInterop(t *testing.T) {
	testenv.SkipIfEmulated(t, "the host's Python is of the host's architecture, not the emulated one")
	if out, err := exec.Command("python3", "-c", "import posix_ipc; print(posix_ipc.VERSION)").CombinedOutput(); err != nil {
		t.Skipf("needs python3 with posix_ipc importable (build it in place and set PYTHONPATH): %v: %s", err, strings.TrimSpace(string(out)))
	}
	a, b := semCreate(t, 0), semCreate(t, 0)
	q := mqCreate(t, 0, mqSmall)
	shm, shn := shmCreate(t, 4096)
	sa, sb, qn := a.Name(), b.Name(), q.Name()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := shm.WriteAt([]byte("hello from go"), 0); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, []byte("ping from go"), 3); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "python3", "-c", pythonPeer, sa, sb, qn, shn)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Python exiting early (a failed check) ends the waits below at once.
	exited := make(chan error, 1)
	peerCtx, peerGone := context.WithCancel(ctx)
	defer peerGone()
	go func() {
		exited <- cmd.Wait()
		peerGone()
	}()
	// peer ends the peer if it still runs and returns its output and exit.
	peer := func() (string, error) {
		cmd.Process.Kill()
		err := <-exited
		exited <- err
		return out.String(), err
	}
	defer peer()

	if err := b.Acquire(peerCtx); err != nil {
		output, _ := peer()
		t.Fatalf("Acquire of the semaphore Python releases: %v (Python: %s)", err, output)
	}
	buf := make([]byte, 64)
	n, prio, err := q.Receive(peerCtx, buf)
	if err != nil || string(buf[:n]) != "pong from python" || prio != 5 {
		output, _ := peer()
		t.Fatalf("Receive = %q, priority %d, %v; want \"pong from python\", 5 (Python: %s)", buf[:n], prio, err, output)
	}
	got := make([]byte, 17)
	if _, err := shm.ReadAt(got, 100); err != nil || string(got) != "hello from python" {
		t.Fatalf("segment at 100: %q, %v; want \"hello from python\"", got, err)
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	err = <-exited // it exits by itself once it holds a
	exited <- err
	if err != nil {
		t.Fatalf("Python peer: %v: %s", err, out.String())
	}
	if got := strings.TrimSpace(out.String()); got != "ok 0 0" {
		t.Errorf("Python peer printed %q, want \"ok 0 0\"", got)
	}
	for _, s := range []*SemFile{a, b} {
		if v, err := s.Value(); err != nil || v != 0 {
			t.Errorf("%s: value %d, %v after the exchange; want 0", s.Name(), v, err)
		}
	}
}
