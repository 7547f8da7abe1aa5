//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/sem"
)

// Processes killed (SIGKILL) while blocked in Receive, Send or Acquire, or
// between a send and a receive: the survivors carry on, no message is lost
// or duplicated, semaphore counts are conserved, later waiters are woken.

func init() {
	childRoles["rel-mq-block-recv"] = relMqBlockRecv
	childRoles["rel-mq-block-send"] = relMqBlockSend
	childRoles["rel-mq-recv-n"] = relMqRecvN
	childRoles["rel-mq-send-n"] = relMqSendN
	childRoles["rel-sem-block-acquire"] = relSemBlockAcquire
}

// relWaitForever blocks until the parent kills the process (its stdin is a
// pipe the parent never writes to).
func relWaitForever() int {
	io.Copy(io.Discard, os.Stdin)
	return 3
}

func relOpenMqChild(flag int) *MqFile {
	q, err := OpenMq(relEnv("REL_MQ"), flag, 0, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return q
}

// relCatchUSR1 makes SIGUSR1 harmless to the child (os/signal installs a
// handler), so the parent can interrupt its waits with it.
func relCatchUSR1() {
	if os.Getenv("REL_CATCH_USR1") != "" {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGUSR1)
	}
}

func relMqBlockRecv() int {
	relCatchUSR1()
	q := relOpenMqChild(os.O_RDONLY)
	fmt.Println("ready")
	buf := make([]byte, 256)
	n, _, err := q.Receive(context.Background(), buf)
	fmt.Printf("got %q %v\n", buf[:n], err)
	return 0
}

func relMqBlockSend() int {
	q := relOpenMqChild(os.O_WRONLY)
	fmt.Println("ready")
	err := q.Send(context.Background(), []byte("from-killed-sender"), 0)
	fmt.Printf("sent %v\n", err)
	return 0
}

func relMqRecvN() int {
	q := relOpenMqChild(os.O_RDONLY)
	n, _ := strconv.Atoi(relEnv("REL_N"))
	buf := make([]byte, 256)
	for range n {
		m, _, err := q.Receive(context.Background(), buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("got %s\n", buf[:m])
	}
	fmt.Println("done")
	return relWaitForever()
}

func relMqSendN() int {
	q := relOpenMqChild(os.O_WRONLY)
	n, _ := strconv.Atoi(relEnv("REL_N"))
	for i := range n {
		if err := q.Send(context.Background(), []byte(fmt.Sprintf("m%d", i)), 0); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println("done")
	return relWaitForever()
}

func relSemBlockAcquire() int {
	relCatchUSR1()
	s, err := OpenSem(relEnv("REL_SEM"), 0, 0, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	if err := s.Acquire(context.Background()); err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("acquired")
	return 0
}

// relProc is a running child whose stdout lines arrive on a channel.
type relProc struct {
	cmd   *exec.Cmd
	lines chan string
	stdin io.WriteCloser
}

func relStart(t *testing.T, role string, env ...string) *relProc {
	t.Helper()
	cmd := relCommand(t, role, relChildOpts{env: env})
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &relProc{cmd: cmd, lines: make(chan string, 100), stdin: stdin}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// expect waits for the child's next line and fails t unless it starts
// with prefix.
func (p *relProc) expect(t *testing.T, prefix string) string {
	t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			t.Fatalf("child exited before printing %q", prefix)
		}
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("child printed %q; want %q", line, prefix)
		}
		return line
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not print %q within 30s", prefix)
	}
	return ""
}

// kill sends SIGKILL and reaps the child; it returns what the child
// printed that was not read yet.
func (p *relProc) kill() []string {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.stdin.Close()
		p.cmd.Wait()
	}
	var rest []string
	for line := range p.lines {
		rest = append(rest, line)
	}
	return rest
}

// relDrain receives every message queued now, without waiting.
func relDrain(t *testing.T, q *MqFile) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 256)
	for {
		a, err := q.Attr()
		if err != nil {
			t.Fatal(err)
		}
		if a.CurMessages == 0 {
			return got
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		n, _, err := q.Receive(ctx, buf)
		cancel()
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		got = append(got, string(buf[:n]))
	}
}

// relCheckLaterReceiverWoken blocks a goroutine in Receive on q, then has
// another process send one message, and checks the goroutine gets it.
func relCheckLaterReceiverWoken(t *testing.T, q *MqFile) {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		buf := make([]byte, 256)
		n, _, err := q.Receive(ctx, buf)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(buf[:n])
	}()
	sender := relStart(t, "rel-mq-send-n", "REL_MQ="+q.Name(), "REL_N=1")
	sender.expect(t, "done")
	if msg := <-got; msg != "m0" {
		t.Fatalf("a receiver that started waiting after the kill got %q; want m0", msg)
	}
}

func TestReliabilityKilledReceiverLosesNothing(t *testing.T) {
	q := relNewQueue(t, 4)
	var procs []*relProc
	for range 2 {
		p := relStart(t, "rel-mq-block-recv", "REL_MQ="+q.Name())
		p.expect(t, "ready")
		procs = append(procs, p)
	}
	for _, p := range procs {
		if rest := p.kill(); len(rest) != 0 {
			t.Fatalf("the blocked receiver printed %q before it was killed", rest)
		}
	}
	want := []string{"one", "two", "three"}
	for _, m := range want {
		if err := q.Send(context.Background(), []byte(m), 0); err != nil {
			t.Fatal(err)
		}
	}
	if got := relDrain(t, q); !slices.Equal(got, want) {
		t.Fatalf("after killing blocked receivers, received %q; want %q", got, want)
	}
	relCheckLaterReceiverWoken(t, q)
}

func TestReliabilityKilledSenderLosesNothing(t *testing.T) {
	q := relNewQueue(t, 2)
	for _, m := range []string{"a", "b"} {
		if err := q.Send(context.Background(), []byte(m), 0); err != nil {
			t.Fatal(err)
		}
	}
	p := relStart(t, "rel-mq-block-send", "REL_MQ="+q.Name())
	p.expect(t, "ready")
	if rest := p.kill(); len(rest) != 0 {
		t.Fatalf("the blocked sender printed %q before it was killed", rest)
	}
	if got := relDrain(t, q); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("after killing a blocked sender, received %q; want [a b] and nothing half-sent", got)
	}
	// A sender that blocks later is still let through by a receive.
	for _, m := range []string{"c", "d"} {
		if err := q.Send(context.Background(), []byte(m), 0); err != nil {
			t.Fatal(err)
		}
	}
	sent := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sent <- q.Send(ctx, []byte("e"), 0)
	}()
	buf := make([]byte, 256)
	if n, _, err := q.Receive(context.Background(), buf); err != nil || string(buf[:n]) != "c" {
		t.Fatalf("receive: %q, %v", buf[:n], err)
	}
	if err := <-sent; err != nil {
		t.Fatalf("a sender blocked on the full queue after the kill: %v", err)
	}
	if got := relDrain(t, q); !slices.Equal(got, []string{"d", "e"}) {
		t.Fatalf("received %q; want [d e]", got)
	}
}

func TestReliabilityKilledBetweenSendAndReceive(t *testing.T) {
	t.Run("sender killed after sending", func(t *testing.T) {
		q := relNewQueue(t, 8)
		p := relStart(t, "rel-mq-send-n", "REL_MQ="+q.Name(), "REL_N=5")
		p.expect(t, "done")
		p.kill()
		want := []string{"m0", "m1", "m2", "m3", "m4"}
		if got := relDrain(t, q); !slices.Equal(got, want) {
			t.Fatalf("messages of a killed sender: %q; want %q", got, want)
		}
	})
	t.Run("receiver killed after receiving some", func(t *testing.T) {
		q := relNewQueue(t, 8)
		var all []string
		for i := range 8 {
			m := fmt.Sprintf("m%d", i)
			all = append(all, m)
			if err := q.Send(context.Background(), []byte(m), 0); err != nil {
				t.Fatal(err)
			}
		}
		p := relStart(t, "rel-mq-recv-n", "REL_MQ="+q.Name(), "REL_N=3")
		var got []string
		for range 3 {
			got = append(got, strings.TrimPrefix(p.expect(t, "got "), "got "))
		}
		p.expect(t, "done")
		if rest := p.kill(); len(rest) != 0 {
			t.Fatalf("child printed %q after done", rest)
		}
		got = append(got, relDrain(t, q)...)
		if !slices.Equal(got, all) {
			t.Fatalf("killed receiver's messages plus the rest: %q; want each of %q exactly once, in order", got, all)
		}
	})
}

// relSemWaiters reads the waiter count glibc keeps in the semaphore (the
// high half of its 64-bit word, or a field of its own on 32-bit machines).
func relSemWaiters(t *testing.T, name string) uint32 {
	t.Helper()
	b, err := os.ReadFile(relSemHostPath(t, name))
	if err != nil || len(b) < sem.Host.Size {
		t.Fatalf("reading the semaphore file: %v (%d bytes)", err, len(b))
	}
	_, n, _ := sem.Host.Fields(b)
	return n
}

func TestReliabilityKilledSemWaitersConserveCount(t *testing.T) {
	name := uniqueName(t)
	s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); RemoveSem(name) })
	var procs []*relProc
	for range 3 {
		p := relStart(t, "rel-sem-block-acquire", "REL_SEM="+name)
		p.expect(t, "ready")
		procs = append(procs, p)
	}
	// Wait (polling, with a deadline) until all three have registered as
	// waiters; killed before or while asleep, they must conserve the count.
	deadline := time.Now().Add(30 * time.Second)
	for relSemWaiters(t, name) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("waiters registered: %d; want 3", relSemWaiters(t, name))
		}
		time.Sleep(time.Millisecond)
	}
	for _, p := range procs[:2] {
		if rest := p.kill(); len(rest) != 0 {
			t.Fatalf("a killed waiter printed %q", rest)
		}
	}
	// One unit: the surviving waiter takes it, despite two dead waiters.
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	procs[2].expect(t, "acquired")
	if err := procs[2].cmd.Wait(); err != nil {
		t.Fatalf("surviving waiter: %v", err)
	}
	if v, err := s.Value(); err != nil || v != 0 {
		t.Fatalf("value after the survivor took the unit: %d, %v; want 0", v, err)
	}
	// Counts are conserved; the dead waiters' registrations cost only
	// spurious wake-ups.
	for range 3 {
		if err := s.Release(); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.Value(); err != nil || v != 3 {
		t.Fatalf("value after 3 releases: %d, %v; want 3", v, err)
	}
	for range 3 {
		if err := s.TryAcquire(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.TryAcquire(); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("TryAcquire at 0: %v; want ErrWouldBlock", err)
	}
	// A later waiter is woken.
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- s.Acquire(ctx)
	}()
	other, err := OpenSem(name, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("a waiter after the kills: %v", err)
	}
}

// relInterrupt stops, continues and signals the child p many times while it
// waits: each stop and continue, and each handled signal, interrupts the
// blocking system call (EINTR unless restarted).
func relInterrupt(t *testing.T, p *relProc) {
	t.Helper()
	for range 50 {
		for _, sig := range []syscall.Signal{syscall.SIGSTOP, syscall.SIGCONT, syscall.SIGUSR1, syscall.SIGURG} {
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatalf("signal %v: %v", sig, err)
			}
		}
	}
	p.cmd.Process.Signal(syscall.SIGCONT)
}

func TestReliabilitySignalsDuringWaitsAreRetried(t *testing.T) {
	t.Run("Receive", func(t *testing.T) {
		q := relNewQueue(t, 2)
		p := relStart(t, "rel-mq-block-recv", "REL_MQ="+q.Name(), "REL_CATCH_USR1=1")
		p.expect(t, "ready")
		relInterrupt(t, p)
		if err := q.Send(context.Background(), []byte("after-signals"), 0); err != nil {
			t.Fatal(err)
		}
		if line := p.expect(t, "got "); line != `got "after-signals" <nil>` {
			t.Fatalf("receiver interrupted by signals printed %q; want the message and no error", line)
		}
	})
	t.Run("Acquire", func(t *testing.T) {
		name := uniqueName(t)
		s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(); RemoveSem(name) })
		p := relStart(t, "rel-sem-block-acquire", "REL_SEM="+name, "REL_CATCH_USR1=1")
		p.expect(t, "ready")
		deadline := time.Now().Add(30 * time.Second)
		for relSemWaiters(t, name) < 1 {
			if time.Now().After(deadline) {
				t.Fatal("the child never waited on the semaphore")
			}
			time.Sleep(time.Millisecond)
		}
		relInterrupt(t, p)
		if v, err := s.Value(); err != nil || v != 0 {
			t.Fatalf("value after the signals: %d, %v; want 0 (nothing taken)", v, err)
		}
		if err := s.Release(); err != nil {
			t.Fatal(err)
		}
		p.expect(t, "acquired")
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("waiter: %v", err)
		}
		if v, err := s.Value(); err != nil || v != 0 {
			t.Fatalf("value after the waiter took the unit: %d, %v; want 0", v, err)
		}
	})
}
