package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
)

// runUntil runs the tool with args on ns and cancels its context, as
// Ctrl-C does, once ready returns true (polled, with a deadline).
func runUntil(t *testing.T, ns ipcfs.Namespace, ready func() bool, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := run(ctx, args, strings.NewReader(""), &out, &errOut, ns)
		done <- result{code, out.String(), errOut.String()}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !ready() {
		select {
		case r := <-done:
			t.Fatalf("ipcfs %q ended before it was interrupted: exit %d, stderr %q", args, r.code, r.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ipcfs %q: not ready within 30s", args)
		}
		runtime.Gosched()
	}
	cancel()
	select {
	case r := <-done:
		return r
	case <-time.After(30 * time.Second):
		t.Fatalf("ipcfs %q did not stop within 30s of the interrupt", args)
	}
	return result{}
}

// valueOf returns the value of semaphore name in ns.
func valueOf(t *testing.T, ns ipcfs.Namespace, name string) int {
	t.Helper()
	s, err := ns.OpenSem(name, os.O_RDWR, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v, err := s.Value()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// messagesIn returns how many messages queue name of ns holds.
func messagesIn(t *testing.T, ns ipcfs.Namespace, name string) int64 {
	t.Helper()
	q, err := ns.OpenMq(name, os.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	a, err := q.Attr()
	if err != nil {
		t.Fatal(err)
	}
	return a.CurMessages
}

// TestPostStopsOnInterrupt: "post sem/x 2000000000" stops at the first
// Ctrl-C, says how many units it released, exactly, and exits 130.
func TestPostStopsOnInterrupt(t *testing.T) {
	ns := fstest.NewMemFS()
	mustRun(t, ns, "", "mk", "sem/x")
	r := runUntil(t, ns, func() bool { return valueOf(t, ns, "x") > 0 }, "post", "sem/x", "2000000000")
	m := regexp.MustCompile(`^ipcfs: sem/x: interrupted after releasing (\d+) of 2000000000 units\n$`).FindStringSubmatch(r.stderr)
	if r.code != exitInterrupted || m == nil {
		t.Fatalf("exit %d, stderr %q; want 130 and how many units were released", r.code, r.stderr)
	}
	if n, _ := strconv.Atoi(m[1]); n != valueOf(t, ns, "x") || n == 0 {
		t.Errorf("reported %d units released; the value is %d", n, valueOf(t, ns, "x"))
	}
}

// TestSendAndRecvSayHowFarTheyGot: a send blocked on a full queue and a
// recv blocked on an empty one stop on Ctrl-C, exit 130 and count.
func TestSendAndRecvSayHowFarTheyGot(t *testing.T) {
	ns := fstest.NewMemFS()
	p := mkQueue(t, ns) // 4 messages at most
	name := strings.TrimPrefix(p, "mq/")
	r := runUntil(t, ns, func() bool { return messagesIn(t, ns, name) == 4 }, "send", p, "1", "2", "3", "4", "5")
	if want := "ipcfs: " + p + ": interrupted after sending 4 messages\n"; r.code != exitInterrupted || r.stderr != want {
		t.Errorf("send: exit %d, stderr %q; want 130, %q", r.code, r.stderr, want)
	}
	mustRun(t, ns, "", "recv", p, "-n", "2")
	r = runUntil(t, ns, func() bool { return messagesIn(t, ns, name) == 0 }, "recv", "-n", "3", p)
	if want := "ipcfs: " + p + ": interrupted after receiving 2 of 3 messages\n"; r.code != exitInterrupted || r.stderr != want || r.stdout != "3\n4\n" {
		t.Errorf("recv: exit %d, stdout %q, stderr %q; want 130, \"3\\n4\\n\", %q", r.code, r.stdout, r.stderr, want)
	}
}

// cancelWriter cancels its context after its first write.
type cancelWriter struct {
	cancel context.CancelFunc
	n      int
}

func (c *cancelWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	c.cancel()
	return len(p), nil
}

func TestCatStopsBetweenPieces(t *testing.T) {
	ns := fstest.NewMemFS()
	mustRun(t, ns, "", "mk", "shm/big", "--size", "3m")
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelWriter{cancel: cancel}
	var errOut bytes.Buffer
	code := run(ctx, []string{"cat", "shm/big"}, nil, out, &errOut, ns)
	want := "ipcfs: shm/big: interrupted after copying 1048576 of 3145728 bytes\n"
	if code != exitInterrupted || errOut.String() != want || out.n != ctxWriteMax {
		t.Errorf("exit %d, %d bytes out, stderr %q; want 130, %d bytes, %q", code, out.n, errOut.String(), ctxWriteMax, want)
	}
}

// TestAwaitInterruptedGivesUpOnAStuckCommand: main exits 130 for a command
// that does not stop by itself (a write blocked on a pipe), with its
// progress; a command that handles interrupts itself is waited for.
func TestAwaitInterruptedGivesUpOnAStuckCommand(t *testing.T) {
	var errOut bytes.Buffer
	e := newEnv(context.Background(), nil, io.Discard, &errOut, fstest.NewMemFS())
	c := e.track("shm/x", newCounter(func(n int64) string { return "copying " + strconv.FormatInt(n, 10) + " bytes" }))
	c.add(42)
	expired := make(chan time.Time, 1)
	expired <- time.Now()
	if code := awaitInterrupted(e, make(chan int), expired); code != exitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if want := "ipcfs: shm/x: interrupted after copying 42 bytes\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	e.ownSignals.Store(true)
	expired <- time.Now()
	done := make(chan int, 1)
	got := make(chan int)
	go func() { got <- awaitInterrupted(e, done, expired) }()
	for len(expired) > 0 { // the grace has ended ...
		runtime.Gosched()
	}
	done <- 7 // ... and the cleanup ends later
	if code := <-got; code != 7 {
		t.Errorf("a command with its own signal handling: exit %d, want its own 7", code)
	}
}
