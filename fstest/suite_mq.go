package fstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sys"
)

func init() {
	addCases(
		suiteCase{"QueueAttributes", testMqAttr},
		suiteCase{"QueuePriorityOrder", testMqPriority},
		suiteCase{"QueueMessageLimits", testMqLimits},
		suiteCase{"QueueShortBufferKeepsMessage", testMqShortBuffer},
		suiteCase{"QueueFullBlocksSend", testMqFull},
		suiteCase{"QueueEmptyBlocksReceive", testMqEmpty},
		suiteCase{"QueueNonblocking", testMqNonblocking},
		suiteCase{"QueueReadWrite", testMqReadWrite},
		suiteCase{"QueueAccessModes", testMqAccess},
		suiteCase{"QueueCloseWakesWaiters", testMqCloseWakes},
		suiteCase{"QueueNotify", testMqNotify},
	)
}

func (s *suite) curMessages(q ipcfs.Mq) int64 {
	s.Helper()
	a, err := q.Attr()
	s.ok("Attr", err)
	return a.CurMessages
}

func testMqAttr(s *suite) {
	attr := ipcfs.MqAttr{MaxMessages: 3, MessageSize: 32}
	name, q := s.createMq(&attr)
	a, err := q.Attr()
	if s.ok("Attr", err) && (a.MaxMessages != 3 || a.MessageSize != 32 || a.CurMessages != 0 || a.Nonblocking) {
		s.Errorf("Attr() of a new queue = %+v; want MaxMessages 3, MessageSize 32, CurMessages 0, blocking", a)
	}
	q.Send(bg, []byte("a"), 0)
	q.Send(bg, []byte("bb"), 0)
	if n := s.curMessages(q); n != 2 {
		s.Errorf("after two sends, CurMessages = %d; want 2", n)
	}
	// Attributes of an existing queue are not changed by opening it.
	other := ipcfs.MqAttr{MaxMessages: 5, MessageSize: 16}
	g, err := s.ns.OpenMq(name, os.O_RDWR|os.O_CREATE, 0o600, &other)
	if s.ok("open existing queue with other attributes", err) {
		if a, err := g.Attr(); s.ok("Attr", err) && (a.MaxMessages != 3 || a.MessageSize != 32 || a.CurMessages != 2) {
			s.Errorf("Attr() through a second handle = %+v; want the queue's 3 x 32 with 2 messages", a)
		}
		g.Close()
	}
	for _, bad := range []ipcfs.MqAttr{{MaxMessages: -1, MessageSize: 8}, {MaxMessages: 2, MessageSize: -8}} {
		f, err := s.ns.OpenMq(s.unique(), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &bad)
		if err == nil {
			s.cleanup("mq", baseName(f.Name()))
			f.Close()
		}
		s.wantInvalid(fmt.Sprintf("create a queue with %+v", bad), err)
		s.wantParam(fmt.Sprintf("create a queue with %+v", bad), err, "negative")
	}
	// A queue takes no other flags: O_TRUNC, which a segment takes, is an
	// error for a queue, and so is O_WRONLY|O_RDWR.
	for _, c := range []struct {
		flag    int
		what    string
		mention string
	}{
		{os.O_RDWR | os.O_CREATE | os.O_TRUNC, "O_RDWR|O_CREATE|O_TRUNC", "flag"},
		{os.O_WRONLY | os.O_RDWR | os.O_CREATE, "O_WRONLY|O_RDWR|O_CREATE", "O_WRONLY and O_RDWR"},
	} {
		name := s.unique()
		f, err := s.ns.OpenMq(name, c.flag, 0o600, &smallAttr)
		if err == nil {
			s.cleanup("mq", name)
			f.Close()
		}
		s.wantParam(fmt.Sprintf("OpenMq(%s)", c.what), err, c.mention)
		if _, err := s.ns.Stat("mq/" + name); err == nil {
			s.Errorf("OpenMq(%s) failed but created the queue", c.what)
		}
	}
	// A zero field means the system default.
	for _, zero := range []ipcfs.MqAttr{{MaxMessages: 0, MessageSize: 8}, {MaxMessages: 2, MessageSize: 0}} {
		name := s.unique()
		f, err := s.ns.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &zero)
		if !s.ok(fmt.Sprintf("create a queue with %+v", zero), err) {
			continue
		}
		s.cleanup("mq", name)
		a, err := f.Attr()
		f.Close()
		s.ns.Remove("mq/" + name)
		if s.ok("Attr", err) && (a.MaxMessages <= 0 || a.MessageSize <= 0 ||
			zero.MaxMessages != 0 && a.MaxMessages != zero.MaxMessages ||
			zero.MessageSize != 0 && a.MessageSize != zero.MessageSize) {
			s.Errorf("queue created with %+v has attributes %+v; want the given field and the default for the zero one", zero, a)
		}
	}
}

func testMqPriority(s *suite) {
	_, q := s.createMq(&ipcfs.MqAttr{MaxMessages: 8, MessageSize: 64})
	sends := []struct {
		msg  string
		prio uint
	}{{"a0", 0}, {"b5", 5}, {"c5", 5}, {"d1", 1}, {"e32767", 32767}, {"f0", 0}, {"g5", 5}}
	for _, m := range sends {
		s.ok(fmt.Sprintf("Send(%q, %d)", m.msg, m.prio), q.Send(bg, []byte(m.msg), m.prio))
	}
	want := []struct {
		msg  string
		prio uint
	}{{"e32767", 32767}, {"b5", 5}, {"c5", 5}, {"g5", 5}, {"d1", 1}, {"a0", 0}, {"f0", 0}}
	buf := make([]byte, 64)
	for i, w := range want {
		n, prio, err := q.Receive(bg, buf)
		if !s.ok("Receive", err) {
			return
		}
		if string(buf[:n]) != w.msg || prio != w.prio {
			s.Errorf("Receive #%d = %q prio %d; want %q prio %d (highest priority first, FIFO within one)", i+1, buf[:n], prio, w.msg, w.prio)
		}
	}
}

func testMqLimits(s *suite) {
	_, q := s.createMq(&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 16})
	err := q.Send(bg, make([]byte, 17), 0)
	s.wantErr("Send of 17 bytes to a queue of 16-byte messages", err, sys.EMSGSIZE)
	s.wantMentions("Send of 17 bytes to a queue of 16-byte messages", err, "17", "16")
	err = q.Send(bg, []byte("x"), 32768)
	s.wantInvalid("Send at priority 32768", err)
	s.wantParam("Send at priority 32768", err, "priority 32768")
	s.wantParam("SetPriority(32768)", q.SetPriority(32768), "priority 32768")
	s.wantParam("Notify(nil)", q.Notify(nil), "fn")
	if n := s.curMessages(q); n != 0 {
		s.Errorf("after refused sends, CurMessages = %d; want 0", n)
	}
	full := bytes.Repeat([]byte{'z'}, 16)
	withNUL := []byte("a\x00b\x00")
	s.ok("Send of exactly MessageSize bytes", q.Send(bg, full, 0))
	s.ok("Send of an empty message", q.Send(bg, nil, 0))
	s.ok("Send of a message with NUL bytes", q.Send(bg, withNUL, 0))
	buf := make([]byte, 16)
	for _, want := range [][]byte{full, {}, withNUL} {
		n, _, err := q.Receive(bg, buf)
		if s.ok("Receive", err) && !bytes.Equal(buf[:n], want) {
			s.Errorf("Receive = %q; want %q", buf[:n], want)
		}
	}
}

func testMqShortBuffer(s *suite) {
	_, q := s.createMq(nil)
	s.ok("Send", q.Send(bg, []byte("hello world"), 3))
	n, _, err := q.Receive(bg, make([]byte, 5))
	s.wantErr("Receive into a 5-byte buffer of an 11-byte message", err, io.ErrShortBuffer)
	if n != 0 {
		s.Errorf("Receive into a short buffer returned n = %d; want 0", n)
	}
	_, err = q.Read(make([]byte, 5))
	s.wantErr("Read into a 5-byte buffer of an 11-byte message", err, io.ErrShortBuffer)
	if c := s.curMessages(q); c != 1 {
		s.Errorf("after short-buffer receives, CurMessages = %d; want 1 (the message kept)", c)
	}
	buf := make([]byte, 64)
	n, prio, err := q.Receive(bg, buf)
	if s.ok("Receive with a large buffer", err) && (string(buf[:n]) != "hello world" || prio != 3) {
		s.Errorf("Receive after short buffers = %q prio %d; want %q prio 3", buf[:n], prio, "hello world")
	}
}

func fill(s *suite, q ipcfs.Mq, n int) {
	s.Helper()
	for i := range n {
		s.ok("Send to fill the queue", q.Send(bg, []byte{byte(i)}, 0))
	}
}

func testMqFull(s *suite) {
	name, q := s.createMq(&ipcfs.MqAttr{MaxMessages: 2, MessageSize: 8})
	fill(s, q, 2)

	q.SetWriteDeadline(time.Now().Add(short))
	s.wantErr("Send to a full queue with a write deadline", q.Send(bg, []byte("late"), 0), os.ErrDeadlineExceeded)
	_, err := q.Write([]byte("late"))
	s.wantErr("Write to a full queue after the write deadline", err, os.ErrDeadlineExceeded)
	q.SetWriteDeadline(time.Time{})

	ctx, cancel := context.WithTimeout(bg, short)
	s.wantErr("Send to a full queue with a context timeout", q.Send(ctx, []byte("late"), 0), context.DeadlineExceeded)
	cancel()
	ctx, cancel = context.WithCancel(bg)
	cancel()
	s.wantErr("Send to a full queue with a cancelled context", q.Send(ctx, []byte("late"), 0), context.Canceled)
	if n := s.curMessages(q); n != 2 {
		s.Errorf("after sends cut short, CurMessages = %d; want 2 (nothing sent)", n)
	}

	// A blocked sender proceeds when a receiver makes room.
	r, err := s.ns.OpenMq(name, os.O_RDONLY, 0, nil)
	if !s.ok("open for reading", err) {
		return
	}
	defer r.Close()
	done := make(chan struct{})
	var sendErr error
	go func() {
		defer close(done)
		sendErr = q.Send(bg, []byte("third"), 9)
	}()
	buf := make([]byte, 8)
	if _, _, err := r.Receive(bg, buf); !s.ok("Receive", err) {
		return
	}
	if s.await("Send blocked on a full queue, after a Receive", done) {
		s.ok("blocked Send", sendErr)
		n, prio, err := r.Receive(bg, buf)
		if s.ok("Receive", err) && (string(buf[:n]) != "third" || prio != 9) {
			s.Errorf("Receive = %q prio %d; want the blocked sender's %q prio 9", buf[:n], prio, "third")
		}
	}
}

func testMqEmpty(s *suite) {
	name, q := s.createMq(nil)
	buf := make([]byte, 64)

	q.SetReadDeadline(time.Now().Add(short))
	_, _, err := q.Receive(bg, buf)
	s.wantErr("Receive from an empty queue with a read deadline", err, os.ErrDeadlineExceeded)
	_, err = q.Read(buf)
	s.wantErr("Read from an empty queue after the read deadline", err, os.ErrDeadlineExceeded)
	q.SetDeadline(time.Time{})

	ctx, cancel := context.WithTimeout(bg, short)
	_, _, err = q.Receive(ctx, buf)
	cancel()
	s.wantErr("Receive from an empty queue with a context timeout", err, context.DeadlineExceeded)
	ctx, cancel = context.WithCancel(bg)
	cancel()
	_, _, err = q.Receive(ctx, buf)
	s.wantErr("Receive from an empty queue with a cancelled context", err, context.Canceled)

	// A blocked receiver gets the next message, sent through another handle.
	w, err := s.ns.OpenMq(name, os.O_WRONLY, 0, nil)
	if !s.ok("open for writing", err) {
		return
	}
	defer w.Close()
	done := make(chan struct{})
	var (
		n    int
		prio uint
		rerr error
	)
	go func() {
		defer close(done)
		n, prio, rerr = q.Receive(bg, buf)
	}()
	s.ok("Send", w.Send(bg, []byte("wake"), 4))
	if s.await("Receive blocked on an empty queue, after a Send", done) {
		if s.ok("blocked Receive", rerr) && (string(buf[:n]) != "wake" || prio != 4) {
			s.Errorf("blocked Receive = %q prio %d; want %q prio 4", buf[:n], prio, "wake")
		}
	}
	// Nothing was lost to the timed-out receives.
	s.ok("Send", w.Send(bg, []byte("again"), 0))
	if n, _, err := q.Receive(bg, buf); s.ok("Receive", err) && string(buf[:n]) != "again" {
		s.Errorf("Receive = %q; want %q", buf[:n], "again")
	}
}

func testMqNonblocking(s *suite) {
	name, q := s.createMq(&ipcfs.MqAttr{MaxMessages: 1, MessageSize: 8})
	s.ok("SetNonblocking(true)", q.SetNonblocking(true))
	if a, err := q.Attr(); s.ok("Attr", err) && !a.Nonblocking {
		s.Errorf("after SetNonblocking(true), Attr().Nonblocking = false")
	}
	_, _, err := q.Receive(bg, make([]byte, 8))
	s.wantErr("non-blocking Receive from an empty queue", err, ipcfs.ErrWouldBlock)
	s.wantErr("non-blocking Receive from an empty queue", err, sys.EAGAIN)
	s.ok("Send", q.Send(bg, []byte("x"), 0))
	err = q.Send(bg, []byte("y"), 0)
	s.wantErr("non-blocking Send to a full queue", err, ipcfs.ErrWouldBlock)
	_, err = q.Write([]byte("y"))
	s.wantErr("non-blocking Write to a full queue", err, ipcfs.ErrWouldBlock)
	s.ok("SetNonblocking(false)", q.SetNonblocking(false))
	if a, err := q.Attr(); s.ok("Attr", err) && a.Nonblocking {
		s.Errorf("after SetNonblocking(false), Attr().Nonblocking = true")
	}

	g, err := s.ns.OpenMq(name, os.O_RDWR|sys.O_NONBLOCK, 0, nil)
	if !s.ok("open with O_NONBLOCK", err) {
		return
	}
	defer g.Close()
	if a, err := g.Attr(); s.ok("Attr", err) && !a.Nonblocking {
		s.Errorf("a handle opened with O_NONBLOCK has Attr().Nonblocking = false")
	}
	s.wantErr("Send to a full queue through an O_NONBLOCK handle", g.Send(bg, []byte("y"), 0), ipcfs.ErrWouldBlock)
	if a, err := q.Attr(); s.ok("Attr", err) && a.Nonblocking {
		s.Errorf("another handle's O_NONBLOCK made this handle non-blocking")
	}
}

func testMqReadWrite(s *suite) {
	_, q := s.createMq(nil)
	if n, err := q.Write([]byte("first")); !s.ok("Write", err) || n != 5 {
		s.Errorf("Write(%q) = %d; want 5", "first", n)
	}
	s.ok("SetPriority(7)", q.SetPriority(7))
	q.Write([]byte("urgent"))
	buf := make([]byte, 64)
	n, prio, err := q.Receive(bg, buf)
	if s.ok("Receive", err) && (string(buf[:n]) != "urgent" || prio != 7) {
		s.Errorf("Receive = %q prio %d; want %q prio 7 (Write uses SetPriority)", buf[:n], prio, "urgent")
	}
	n, err = q.Read(buf)
	if s.ok("Read", err) && string(buf[:n]) != "first" {
		s.Errorf("Read = %q; want %q", buf[:n], "first")
	}
}

func testMqAccess(s *suite) {
	name, q := s.createMq(nil)
	r, err := s.ns.OpenMq(name, os.O_RDONLY, 0, nil)
	if !s.ok("open O_RDONLY", err) {
		return
	}
	defer r.Close()
	w, err := s.ns.OpenMq(name, os.O_WRONLY, 0, nil)
	if !s.ok("open O_WRONLY", err) {
		return
	}
	defer w.Close()
	// The wrong direction is posix_ipc's PermissionsError: fs.ErrPermission,
	// with the kernel's EBADF still reachable.
	s.wantDirection("Send on an O_RDONLY handle", r.Send(bg, []byte("x"), 0))
	_, err = r.Write([]byte("x"))
	s.wantDirection("Write on an O_RDONLY handle", err)
	q.Send(bg, []byte("kept"), 0)
	_, _, err = w.Receive(bg, make([]byte, 64))
	s.wantDirection("Receive on an O_WRONLY handle", err)
	_, err = w.Read(make([]byte, 64))
	s.wantDirection("Read on an O_WRONLY handle", err)
	if n := s.curMessages(q); n != 1 {
		s.Errorf("after refused calls, CurMessages = %d; want 1", n)
	}
}

func testMqCloseWakes(s *suite) {
	name, q := s.createMq(nil)
	r, err := s.ns.OpenMq(name, os.O_RDONLY, 0, nil)
	if !s.ok("open O_RDONLY", err) {
		return
	}
	done := make(chan struct{})
	var rerr error
	go func() {
		defer close(done)
		_, _, rerr = r.Receive(bg, make([]byte, 64))
	}()
	s.ok("Close", r.Close())
	if s.await("Receive blocked when its handle was closed", done) {
		s.wantErr("Receive on a handle closed while waiting", rerr, fs.ErrClosed)
	}
	// The queue and its other handles are unaffected.
	s.ok("Send after another handle closed", q.Send(bg, []byte("ok"), 0))
	if n := s.curMessages(q); n != 1 {
		s.Errorf("CurMessages = %d; want 1", n)
	}
}

func testMqNotify(s *suite) {
	name, q := s.createMq(nil)
	other, err := s.ns.OpenMq(name, os.O_RDWR, 0, nil)
	if !s.ok("open a second handle", err) {
		return
	}
	defer other.Close()

	fired := make(chan struct{}, 4)
	err = q.Notify(func() { fired <- struct{}{} })
	if unsupported(err) {
		s.Skipf("Notify: %v", err)
	}
	if !s.ok("Notify", err) {
		return
	}
	s.wantErr("Notify from a second handle while one is registered", other.Notify(func() {}), ipcfs.ErrBusy)
	s.ok("Send", other.Send(bg, []byte("1"), 0))
	select {
	case <-fired:
	case <-time.After(long):
		s.Errorf("notification did not fire within %v of a send to an empty queue", long)
		return
	}
	// One-shot: the registration is gone, another handle may register.
	s.ok("Notify from the second handle after the first fired", other.Notify(func() { fired <- struct{}{} }))
	s.ok("CancelNotify", other.CancelNotify())
	s.ok("Notify after CancelNotify", q.Notify(func() { fired <- struct{}{} }))
	s.ok("CancelNotify", q.CancelNotify())

	// As the kernel does, closing any handle of the queue removes the
	// registration (the process's, on the host).
	s.ok("Notify", q.Notify(func() { fired <- struct{}{} }))
	third, err := s.ns.OpenMq(name, os.O_RDONLY, 0, nil)
	if s.ok("open a third handle", err) {
		third.Close()
		if s.ok("Notify after another handle of the queue was closed", other.Notify(func() {})) {
			other.CancelNotify()
		}
	}
	q.CancelNotify()

	// Re-registering from inside the callback works.
	drain := func() {
		buf := make([]byte, smallAttr.MessageSize)
		for s.curMessages(q) > 0 {
			if _, _, err := q.Receive(bg, buf); err != nil {
				s.Errorf("Receive while draining: %v", err)
				return
			}
		}
	}
	drain()
	var again func()
	count := 0
	again = func() {
		count++
		if count == 1 {
			if err := q.Notify(again); err != nil {
				s.Errorf("Notify from inside the callback = %v; want no error", err)
			}
		}
		fired <- struct{}{}
	}
	if !s.ok("Notify", q.Notify(again)) {
		return
	}
	for i := range 2 {
		s.ok("Send", other.Send(bg, []byte("n"), 0))
		select {
		case <-fired:
		case <-time.After(long):
			s.Errorf("notification #%d (re-armed from the callback) did not fire within %v", i+1, long)
			return
		}
		drain()
	}
}
