package ipcfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// mqSmall is the attribute set test queues use: small, so that tests running
// at the same time stay far from the host's per-user RLIMIT_MSGQUEUE.
var mqSmall = MqAttr{MaxMessages: 4, MessageSize: 64}

// mqCreate creates a fresh queue that is closed and removed when the test
// ends.
func mqCreate(t testing.TB, flag int, attr MqAttr) *MqFile {
	t.Helper()
	name := uniqueName(t)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|flag, 0o600, &attr)
	if err != nil {
		t.Fatalf("OpenMq(%q): %v", name, err)
	}
	t.Cleanup(func() {
		q.Close()
		if err := RemoveMq(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("RemoveMq(%q): %v", name, err)
		}
	})
	return q
}

// mqOpenAgain opens another handle of q's queue, closed when the test ends.
func mqOpenAgain(t testing.TB, q *MqFile, flag int) *MqFile {
	t.Helper()
	q2, err := OpenMq(q.Name(), flag, 0, nil)
	if err != nil {
		t.Fatalf("OpenMq(%q) again: %v", q.Name(), err)
	}
	t.Cleanup(func() { q2.Close() })
	return q2
}

func mqSend(t testing.TB, q *MqFile, msg string, prio uint) {
	t.Helper()
	if err := q.Send(context.Background(), []byte(msg), prio); err != nil {
		t.Fatalf("Send(%q, %d): %v", msg, prio, err)
	}
}

func mqRecv(t testing.TB, q *MqFile) (string, uint) {
	t.Helper()
	buf := make([]byte, 1024)
	n, prio, err := q.Receive(context.Background(), buf)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return string(buf[:n]), prio
}

func mqCurMessages(t testing.TB, q *MqFile) int64 {
	t.Helper()
	a, err := q.Attr()
	if err != nil {
		t.Fatalf("Attr: %v", err)
	}
	return a.CurMessages
}

func TestMqReceiveHighestPriorityFirstFIFOWithinPriority(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 8, MessageSize: 16})
	sent := []struct {
		msg  string
		prio uint
	}{{"a", 0}, {"b", 5}, {"c", QueuePriorityMax}, {"d", 5}, {"e", 0}, {"f", 5}}
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

func TestMqInvalidParametersGiveClearErrors(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	name := uniqueName(t)
	tests := []struct {
		what string
		err  error
		want string
	}{
		{"send priority", q.Send(context.Background(), []byte("x"), QueuePriorityMax+1), "priority 32768"},
		{"set priority", q.SetPriority(40000), "priority 40000"},
		{"negative max messages", mqOpenErr(name, &MqAttr{MaxMessages: -1, MessageSize: 8}), "MaxMessages -1"},
		{"negative message size", mqOpenErr(name, &MqAttr{MaxMessages: 1, MessageSize: -5}), "MessageSize -5"},
		{"O_TRUNC flag", mqOpenErrFlag(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC), "flag"},
		{"O_WRONLY|O_RDWR", mqOpenErrFlag(name, os.O_WRONLY|os.O_RDWR|os.O_CREATE), "O_WRONLY and O_RDWR"},
		{"name with slash", mqOpenErrFlag("/a/b", os.O_RDWR|os.O_CREATE), "'/'"},
		{"empty name", mqOpenErrFlag("/", os.O_RDWR|os.O_CREATE), "empty"},
		{"nil callback", q.Notify(nil), "fn is nil"},
		{"reserved signal", q.NotifySignal(syscall.Signal(33)), "reserved"},
		{"signal out of range", q.NotifySignal(syscall.Signal(65)), "outside"},
	}
	for _, tt := range tests {
		var pe *fs.PathError
		if !errors.As(tt.err, &pe) || !errors.Is(tt.err, fs.ErrInvalid) || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: %v; want a PathError with fs.ErrInvalid mentioning %q", tt.what, tt.err, tt.want)
		}
	}
	if _, err := OpenMq(name, os.O_RDONLY, 0, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused OpenMq created the queue: %v", err)
	}
}

func mqOpenErr(name string, attr *MqAttr) error {
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, attr)
	if err == nil {
		q.Close()
		RemoveMq(name)
	}
	return err
}

func mqOpenErrFlag(name string, flag int) error {
	q, err := OpenMq(name, flag, 0o600, &mqSmall)
	if err == nil {
		q.Close()
		RemoveMq(name)
	}
	return err
}

func TestMqOpenErrors(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	if _, err := OpenMq(uniqueName(t), os.O_RDWR, 0, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open missing: %v, want fs.ErrNotExist", err)
	}
	_, err := OpenMq(q.Name(), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &mqSmall)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) || pe.Op != "open" || pe.Path != q.Name() {
		t.Errorf("O_EXCL on existing: %v, want PathError{open, %s, EEXIST}", err, q.Name())
	}
	// Without the leading slash the name is the same queue.
	q2, err := OpenMq(strings.TrimPrefix(q.Name(), "/"), os.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	mqSend(t, q, "same", 0)
	if msg, _ := mqRecv(t, q2); msg != "same" {
		t.Errorf("second handle got %q", msg)
	}
	// A read-only handle cannot send, a write-only one cannot receive.
	if err := q2.Send(context.Background(), []byte("x"), 0); !errors.Is(err, syscall.EBADF) {
		t.Errorf("send on O_RDONLY: %v, want EBADF", err)
	}
	if err := RemoveMq(uniqueName(t)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveMq missing: %v, want fs.ErrNotExist", err)
	}
}

func TestMqNilAttrGivesSystemDefaults(t *testing.T) {
	name := uniqueName(t)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer RemoveMq(name)
	defer q.Close()
	l, err := QueueLimits()
	if err != nil {
		t.Fatal(err)
	}
	a, err := q.Attr()
	if err != nil {
		t.Fatal(err)
	}
	if a.MaxMessages != min(l.MsgDefault, l.MsgMax) || a.MessageSize != min(l.MsgsizeDefault, l.MsgsizeMax) {
		t.Errorf("Attr = %+v, want the defaults of %+v", a, l)
	}
	if QueueMessagesMaxDefault() != l.MsgMax || QueueMessageSizeMaxDefault() != min(8192, l.MsgsizeMax) {
		t.Errorf("QueueMessagesMaxDefault() = %d, QueueMessageSizeMaxDefault() = %d; limits %+v",
			QueueMessagesMaxDefault(), QueueMessageSizeMaxDefault(), l)
	}
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
	if fi, err := q.Stat(); err != nil || fi.Size() != 11 {
		t.Errorf("Stat().Size() = %v, %v; want 11", fi.Size(), err)
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

func TestMqUseAfterCloseIsErrClosed(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	calls := map[string]error{
		"Close":          q.Close(),
		"Read":           func() error { _, err := q.Read(buf); return err }(),
		"Write":          func() error { _, err := q.Write(buf[:1]); return err }(),
		"Send":           q.Send(context.Background(), buf[:1], 0),
		"Receive":        func() error { _, _, err := q.Receive(context.Background(), buf); return err }(),
		"Attr":           func() error { _, err := q.Attr(); return err }(),
		"Stat":           func() error { _, err := q.Stat(); return err }(),
		"SetDeadline":    q.SetDeadline(time.Now()),
		"SetNonblocking": q.SetNonblocking(true),
		"SetPriority":    q.SetPriority(1),
		"Notify":         q.Notify(func() {}),
		"NotifySignal":   q.NotifySignal(syscall.Signal(40)),
		"CancelNotify":   q.CancelNotify(),
		"SyscallConn":    func() error { _, err := q.SyscallConn(); return err }(),
		"ReadFrom":       func() error { _, err := q.ReadFrom(strings.NewReader("x")); return err }(),
	}
	for name, err := range calls {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s after Close: %v, want fs.ErrClosed", name, err)
		}
	}
	var nilQ *MqFile
	if _, err := nilQ.Read(buf); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Read on nil *MqFile: %v, want fs.ErrInvalid", err)
	}
	if err := nilQ.Close(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Close on nil *MqFile: %v, want fs.ErrInvalid", err)
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

func TestMqStatAndAttrDescribeTheQueue(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 5, MessageSize: 32})
	mqSend(t, q, "12345", 0)
	mqSend(t, q, "abc", 2)
	fi, err := q.Stat()
	if err != nil {
		t.Fatal(err)
	}
	info, ok := fi.Sys().(MqInfo)
	if fi.Name() != q.Name()[1:] || fi.Size() != 8 || fi.Mode() != fs.ModeIrregular|0o600 || !ok ||
		info.Attr != (MqAttr{MaxMessages: 5, MessageSize: 32, CurMessages: 2}) {
		t.Errorf("Stat = name %q size %d mode %v sys %+v", fi.Name(), fi.Size(), fi.Mode(), fi.Sys())
	}
	if _, ok := info.Stat.(*syscall.Stat_t); !ok {
		t.Errorf("MqInfo.Stat = %T, want *syscall.Stat_t", info.Stat)
	}
	// The namespace's view, through statMq.
	ns := New()
	fi2, err := ns.Stat("mq" + q.Name())
	if err != nil {
		t.Fatal(err)
	}
	if fi2.Size() != 8 || fi2.Mode() != fs.ModeIrregular|0o600 || fi2.Sys().(MqInfo).Attr.MaxMessages != 5 {
		t.Errorf("FS.Stat = size %d mode %v sys %+v", fi2.Size(), fi2.Mode(), fi2.Sys())
	}
	entries, err := ns.ReadDir("mq")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Name() == q.Name()[1:]
	}
	if !found {
		t.Errorf("ReadDir(mq) does not list %s", q.Name())
	}
	if _, err := ns.Stat("mq/" + strings.TrimPrefix(uniqueName(t), "/")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing queue: %v, want fs.ErrNotExist", err)
	}
	// Stat without a handle in this process consumes nothing.
	name := uniqueName(t)
	if err := ns.Remove("mq" + q.Name()); err != nil {
		t.Fatal(err)
	}
	q3, err := OpenMq(name, os.O_WRONLY|os.O_CREATE, 0o640, &MqAttr{MaxMessages: 2, MessageSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer RemoveMq(name)
	q3.Write([]byte("xyz"))
	q3.Close()
	fi3, err := statMq(name)
	if err != nil || fi3.Size() != 3 || fi3.Sys().(MqInfo).Attr.CurMessages != 1 || fi3.Mode().Perm() != 0o640&^mqUmask() {
		t.Errorf("statMq = %v, %v", fi3, err)
	}
	if fi3, _ = statMq(name); fi3.Sys().(MqInfo).Attr.CurMessages != 1 {
		t.Errorf("statMq consumed a message")
	}
}

// mqUmask reads the process umask from /proc/self/status.
func mqUmask() fs.FileMode {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			var m fs.FileMode
			for _, c := range strings.TrimSpace(v) {
				m = m*8 + fs.FileMode(c-'0')
			}
			return m
		}
	}
	return 0o022
}

func TestMqLimitErrorsNameTheLimit(t *testing.T) {
	l, err := QueueLimits()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		attr  MqAttr
		limit string
	}{
		{MqAttr{MaxMessages: l.MsgMax + 1, MessageSize: 8}, "msg_max"},
		{MqAttr{MaxMessages: 1, MessageSize: l.MsgsizeMax + 1}, "msgsize_max"},
	}
	for _, tt := range tests {
		err := mqOpenErr(uniqueName(t), &tt.attr)
		if err == nil {
			t.Logf("%+v allowed (CAP_SYS_RESOURCE): nothing to check", tt.attr)
			continue
		}
		t.Log(err)
		if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), tt.limit) || !strings.Contains(err.Error(), "sysctl") {
			t.Errorf("OpenMq(%+v): %v; want EINVAL naming %s and how to raise it", tt.attr, err, tt.limit)
		}
	}
	// RLIMIT_MSGQUEUE, in a child process with the limit lowered.
	out, err := childCommand(t, "mq-rlimit", "IPCFS_MQ_NAME="+uniqueName(t)).Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	t.Logf("%s", out)
	if got := string(out); !strings.Contains(got, "EMFILE=true") || !strings.Contains(got, "RLIMIT_MSGQUEUE") {
		t.Errorf("child with RLIMIT_MSGQUEUE=1 got %q; want EMFILE naming RLIMIT_MSGQUEUE", got)
	}
	// queues_max, in a private IPC namespace (needs unshare -i) where it is 0.
	cmd := exec.Command("unshare", append([]string{"-i", "sh", "-c", `echo 0 > /proc/sys/fs/mqueue/queues_max && exec "$@"`, "sh"},
		testenv.Argv(testenv.Executable(), "-test.run=^$")...)...)
	cmd.Env = append(os.Environ(), "IPCFS_TEST_CHILD=mq-enospc", "IPCFS_MQ_NAME="+uniqueName(t))
	out, err = cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Logf("no private IPC namespace here (%v: %s); queues_max error not checked", err, out)
	} else if got := string(out); !strings.Contains(got, "ENOSPC=true") || !strings.Contains(got, "queues_max") {
		t.Errorf("child with queues_max=0 got %q; want ENOSPC naming queues_max", got)
	}
	if QueueCost(10, 8192) != 82880 || QueueCost(1, 1) != 97 {
		t.Errorf("QueueCost does not match the kernel's accounting")
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
