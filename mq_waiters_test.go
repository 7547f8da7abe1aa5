package ipcfs

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// mqThreads returns the number of OS threads of this process.
func mqThreads(t testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatal("no Threads: line in /proc/self/status")
	return 0
}

// mqParkedWaiters counts goroutines parked inside MqFile waits (on the
// poller, or queued for the descriptor's read lock).
func mqParkedWaiters() int {
	buf := make([]byte, 64<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("(*MqFile).wait(")) &&
			(bytes.Contains(g, []byte("[IO wait")) || bytes.Contains(g, []byte("[semacquire")) || bytes.Contains(g, []byte("[sync."))) {
			n++
		}
	}
	return n
}

// TestMq10000WaitersUseFewThreads parks 100 receivers on each of 100 queues
// and checks that the process gains only a few OS threads, then wakes them
// all by sending and checks that each received exactly one message.
func TestMq10000WaitersUseFewThreads(t *testing.T) {
	const queues, perQueue, maxThreads = 100, 100, 64
	// Threads are counted relative to now: the runtime never ends an idle
	// OS thread, and earlier tests (semaphore waiters each hold one while
	// they sleep) may have left many.
	before := mqThreads(t)
	qs := make([]*MqFile, queues)
	for i := range qs {
		qs[i] = mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 16}) // 112 bytes of RLIMIT_MSGQUEUE each
	}
	type result struct {
		queue int
		msg   string
		err   error
	}
	results := make(chan result, queues*perQueue)
	for i, q := range qs {
		for range perQueue {
			go func() {
				buf := make([]byte, 16)
				n, _, err := q.Receive(context.Background(), buf)
				results <- result{i, string(buf[:n]), err}
			}()
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for mqParkedWaiters() < queues*perQueue {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d receivers parked", mqParkedWaiters(), queues*perQueue)
		}
		time.Sleep(10 * time.Millisecond)
	}
	threads := mqThreads(t)
	t.Logf("%d goroutines parked on %d queues: %d OS threads, %d before (GOMAXPROCS %d)",
		queues*perQueue, queues, threads, before, runtime.GOMAXPROCS(0))
	if threads-before > maxThreads {
		t.Errorf("%d more OS threads for %d waiters, want at most %d more", threads-before, queues*perQueue, maxThreads)
	}

	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perQueue {
				if err := q.Send(context.Background(), []byte(strconv.Itoa(j)), 0); err != nil {
					t.Errorf("Send: %v", err)
					return
				}
			}
		}()
	}
	got := make([]map[string]bool, queues)
	for i := range got {
		got[i] = map[string]bool{}
	}
	for range queues * perQueue {
		r := mqAwait(t, results, "a receiver")
		if r.err != nil {
			t.Fatalf("Receive: %v", r.err)
		}
		if got[r.queue][r.msg] {
			t.Errorf("queue %d: message %q received twice", r.queue, r.msg)
		}
		got[r.queue][r.msg] = true
	}
	wg.Wait()
	for i, m := range got {
		if len(m) != perQueue {
			t.Errorf("queue %d: %d distinct messages received, want %d", i, len(m), perQueue)
		}
	}
	t.Logf("after waking all: %d OS threads", mqThreads(t))
}
