//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of sending and receiving (mq_io.go).

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMqReceiveHighestPriorityFirstFIFOWithinPriority(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 8, MessageSize: 16})
	sent := []struct {
		msg  string
		prio uint
	}{{"a", 0}, {"b", 5}, {"c", MqPriorityMax}, {"d", 5}, {"e", 0}, {"f", 5}}
	for _, s := range sent {
		mqSend(t, q, s.msg, s.prio)
	}
	want := []string{"c/32767", "b/5", "d/5", "f/5", "a/0", "e/0"}
	for i, w := range want {
		msg, prio := mqRecv(t, q)
		if got := msg + "/" + strconv.Itoa(int(prio)); got != w {
			t.Errorf("message %d = %s, want %s", i, got, w)
		}
	}
}

func TestMqMessagesKeepNULBytes(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	msgs := []string{"\x00", "a\x00b\x00", "\x00\x00\x00\x00", ""}
	for _, m := range msgs {
		if _, err := q.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range msgs {
		buf := make([]byte, 64)
		n, err := q.Read(buf)
		if err != nil || string(buf[:n]) != m {
			t.Errorf("Read = %q, %v; want %q", buf[:n], err, m)
		}
	}
}

func TestMqWriteUsesHandlePriority(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	q.Write([]byte("low"))
	if err := q.SetPriority(9); err != nil {
		t.Fatal(err)
	}
	if n, err := q.Write([]byte("high")); n != 4 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if msg, prio := mqRecv(t, q); msg != "high" || prio != 9 {
		t.Errorf("first message %q prio %d, want high/9", msg, prio)
	}
	if msg, prio := mqRecv(t, q); msg != "low" || prio != 0 {
		t.Errorf("second message %q prio %d, want low/0", msg, prio)
	}
}

func TestMqTooLongMessageIsRefusedAndNothingSent(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 2, MessageSize: 8})
	for _, send := range []func() error{
		func() error { _, err := q.Write(make([]byte, 9)); return err },
		func() error { return q.Send(context.Background(), make([]byte, 100), 1) },
	} {
		err := send()
		if !errors.Is(err, syscall.EMSGSIZE) || !strings.Contains(err.Error(), "message size (8 bytes)") {
			t.Errorf("oversized send: %v, want EMSGSIZE naming the size", err)
		}
	}
	if n := mqCurMessages(t, q); n != 0 {
		t.Errorf("CurMessages = %d after refused sends, want 0", n)
	}
	mqSend(t, q, "12345678", 0) // exactly the size is fine
}

func TestMqNonblockingReturnsErrWouldBlock(t *testing.T) {
	for _, how := range []string{"O_NONBLOCK", "SetNonblocking"} {
		t.Run(how, func(t *testing.T) {
			var q *MqFile
			if how == "O_NONBLOCK" {
				q = mqCreate(t, syscall.O_NONBLOCK, MqAttr{MaxMessages: 1, MessageSize: 8})
			} else {
				q = mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
				if err := q.SetNonblocking(true); err != nil {
					t.Fatal(err)
				}
			}
			if a, _ := q.Attr(); !a.Nonblocking {
				t.Errorf("Attr().Nonblocking = false")
			}
			buf := make([]byte, 8)
			if _, _, err := q.Receive(context.Background(), buf); !errors.Is(err, ErrWouldBlock) || !errors.Is(err, syscall.EAGAIN) {
				t.Errorf("receive on empty: %v, want ErrWouldBlock", err)
			}
			mqSend(t, q, "x", 0)
			if _, err := q.Write([]byte("y")); !errors.Is(err, ErrWouldBlock) {
				t.Errorf("write on full: %v, want ErrWouldBlock", err)
			}
			if msg, _ := mqRecv(t, q); msg != "x" {
				t.Errorf("got %q, want x", msg)
			}
			q.SetNonblocking(false)
			if a, _ := q.Attr(); a.Nonblocking {
				t.Errorf("Attr().Nonblocking = true after SetNonblocking(false)")
			}
		})
	}
}

func TestMqShortBufferKeepsMessage(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	mqSend(t, q, "hello world", 3)
	small := make([]byte, 4)
	for range 2 { // asking again with a small buffer still loses nothing
		if n, err := q.Read(small); n != 0 || !errors.Is(err, io.ErrShortBuffer) {
			t.Fatalf("Read(4 bytes) = %d, %v; want io.ErrShortBuffer", n, err)
		}
	}
	if n := mqCurMessages(t, q); n != 1 {
		t.Errorf("CurMessages = %d with the message held, want 1", n)
	}
	if fi, err := q.Stat(); err != nil || fi.Sys().(MqInfo).Bytes != 11 {
		t.Errorf("Stat().Sys() = %+v, %v; want Bytes 11 (the held message)", fi.Sys(), err)
	}
	mqSend(t, q, "urgent", 9) // the held message still comes first on this handle
	buf := make([]byte, 11)   // shorter than MessageSize but large enough
	n, prio, err := q.Receive(context.Background(), buf)
	if err != nil || string(buf[:n]) != "hello world" || prio != 3 {
		t.Errorf("Receive = %q, %d, %v; want the held message", buf[:n], prio, err)
	}
	if msg, prio := mqRecv(t, q); msg != "urgent" || prio != 9 {
		t.Errorf("next = %q/%d, want urgent/9", msg, prio)
	}
	// A small buffer that fits is enough, without holding anything back.
	mqSend(t, q, "ab", 0)
	n, err = q.Read(small)
	if err != nil || string(small[:n]) != "ab" {
		t.Errorf("Read(4 bytes) of 2-byte message = %q, %v", small[:n], err)
	}
}

func TestMqFullQueueBlocksSendUntilReceive(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
	mqSend(t, q, "first", 0)
	done := make(chan error, 1)
	go func() { done <- q.Send(context.Background(), []byte("second"), 0) }()
	if msg, _ := mqRecv(t, q); msg != "first" {
		t.Fatalf("got %q, want first", msg)
	}
	if err := <-done; err != nil {
		t.Fatalf("blocked Send: %v", err)
	}
	if msg, _ := mqRecv(t, q); msg != "second" {
		t.Fatalf("got %q, want second", msg)
	}
}

func TestMqDeadlinesTimeOutAndLoseNothing(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
	buf := make([]byte, 8)
	q.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, _, err := q.Receive(context.Background(), buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("receive on empty past deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	mqSend(t, q, "kept", 0)
	q.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := q.Write([]byte("lost?")); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write on full past deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	if n := mqCurMessages(t, q); n != 1 {
		t.Errorf("CurMessages = %d after timed-out write, want 1", n)
	}
	q.SetDeadline(time.Time{})
	if msg, _ := mqRecv(t, q); msg != "kept" {
		t.Errorf("got %q, want kept", msg)
	}
}

func TestMqContextCancelWakesOnlyItsWaiter(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	other := make(chan string, 1)
	go func() {
		_, _, err := q.Receive(ctx, make([]byte, 64))
		cancelled <- err
	}()
	go func() {
		buf := make([]byte, 64)
		n, _, err := q.Receive(context.Background(), buf)
		if err != nil {
			other <- err.Error()
			return
		}
		other <- string(buf[:n])
	}()
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Receive: %v, want context.Canceled", err)
	}
	mqSend(t, q, "for-other", 0)
	if got := <-other; got != "for-other" {
		t.Errorf("the other waiter got %q, want for-other", got)
	}
	// An expired context on a full queue: nothing sent.
	full := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
	mqSend(t, full, "a", 0)
	tctx, tcancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer tcancel()
	if err := full.Send(tctx, []byte("b"), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send with expiring ctx: %v, want context.DeadlineExceeded", err)
	}
	if n := mqCurMessages(t, full); n != 1 {
		t.Errorf("CurMessages = %d, want 1", n)
	}
}

func TestMqCancelledWaitsLoseAndDuplicateNothing(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 2, MessageSize: 8})
	const total = 300
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 8)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration((i+w)%3)*100*time.Microsecond)
				n, _, err := q.Receive(ctx, buf)
				cancel()
				if err == nil {
					mu.Lock()
					got[string(buf[:n])]++
					mu.Unlock()
				} else if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Receive: %v", err)
					return
				}
			}
		}()
	}
	for i := range total {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%3)*100*time.Microsecond)
		err := q.Send(ctx, []byte(strconv.Itoa(i)), 0)
		cancel()
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Send: %v", err)
			}
			mqSend(t, q, strconv.Itoa(i), 0) // retry without a deadline
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if len(got) != total {
		t.Errorf("received %d distinct messages, want %d", len(got), total)
	}
	for m, c := range got {
		if c != 1 {
			t.Errorf("message %s received %d times", m, c)
		}
	}
}

func TestMqCloseWakesEveryWaiter(t *testing.T) {
	full := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
	empty := mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8})
	other := mqOpenAgain(t, full, os.O_RDONLY)
	mqSend(t, full, "full", 0)
	errs := make(chan error, 10)
	for range 5 {
		go func() { _, err := full.Write([]byte("x")); errs <- err }()
		go func() { _, _, err := empty.Receive(context.Background(), make([]byte, 8)); errs <- err }()
	}
	full.Close()
	empty.Close()
	for range 10 {
		if err := <-errs; !errors.Is(err, fs.ErrClosed) {
			t.Errorf("waiter woken by Close: %v, want fs.ErrClosed", err)
		}
	}
	if n := mqCurMessages(t, other); n != 1 {
		t.Errorf("queue holds %d messages, want only the one sent before Close", n)
	}
}

func TestMqReadFromAndWriteToReassembleAStream(t *testing.T) {
	for _, size := range []int{0, 1, 63, 64, 1000, 1024} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			q := mqCreate(t, 0, MqAttr{MaxMessages: 3, MessageSize: 64})
			data := make([]byte, size)
			for i := range data {
				data[i] = byte(i * 7)
			}
			var out bytes.Buffer
			done := make(chan error, 1)
			go func() { _, err := io.Copy(&out, q); done <- err }()
			// struct{ io.Reader } hides bytes.Reader's WriteTo, which io.Copy
			// would prefer to the queue's ReadFrom (as it does for a file).
			n, err := io.Copy(q, struct{ io.Reader }{bytes.NewReader(data)})
			if err != nil || n != int64(size) {
				t.Fatalf("io.Copy(queue, data) = %d, %v", n, err)
			}
			if err := <-done; err != nil {
				t.Fatalf("io.Copy(out, queue): %v", err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Errorf("reassembled %d bytes, want %d equal bytes", out.Len(), size)
			}
			if n := mqCurMessages(t, q); n != 0 {
				t.Errorf("%d messages left", n)
			}
		})
	}
}

func TestMqSteadyStateSendReceiveAllocatesNothing(t *testing.T) {
	if mqRaceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	q := mqCreate(t, 0, mqSmall)
	msg := []byte("0123456789")
	full := make([]byte, 64)  // MessageSize: received in place
	small := make([]byte, 10) // smaller: through the handle's buffer
	for _, buf := range [][]byte{full, small} {
		allocs := testing.AllocsPerRun(200, func() {
			if _, err := q.Write(msg); err != nil {
				t.Fatal(err)
			}
			if n, err := q.Read(buf); err != nil || n != len(msg) {
				t.Fatal(n, err)
			}
		})
		if allocs != 0 {
			t.Errorf("Write+Read with a %d-byte buffer: %v allocations, want 0", len(buf), allocs)
		}
	}
}
