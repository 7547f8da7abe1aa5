package fstest

import (
	"context"
	"os"
	"time"
)

// One rule for every wait, queues and semaphores alike: a context already
// done or a deadline already past fails the call before it tries, even when
// it could complete at once (Go's convention: net.Conn for deadlines,
// golang.org/x/sync/semaphore for contexts). posix_ipc's timeout=0 is
// non-blocking mode (queues) and TryAcquire (semaphores).

func init() {
	addCases(suiteCase{"PastDeadlineOrDoneContextFailsBeforeTrying", testPastDeadline})
}

func testPastDeadline(s *suite) {
	done, cancel := context.WithCancel(bg)
	cancel()
	past, cancelPast := context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancelPast()
	contexts := []struct {
		what string
		ctx  context.Context
		want error
	}{
		{"a cancelled context", done, context.Canceled},
		{"a context whose deadline has passed", past, context.DeadlineExceeded},
	}
	ago := time.Now().Add(-time.Second)

	// A queue with room and a message: every call could complete at once.
	_, q := s.createMq(nil)
	s.ok("Send", q.Send(bg, []byte("kept"), 0))
	buf := make([]byte, smallAttr.MessageSize)
	for _, nonblocking := range []bool{false, true} {
		s.ok("SetNonblocking", q.SetNonblocking(nonblocking))
		mode := map[bool]string{false: "blocking", true: "non-blocking"}[nonblocking]
		for _, c := range contexts {
			s.wantErr("Send with "+c.what+" to a queue with room ("+mode+")", q.Send(c.ctx, []byte("x"), 0), c.want)
			_, _, err := q.Receive(c.ctx, buf)
			s.wantErr("Receive with "+c.what+" from a queue holding a message ("+mode+")", err, c.want)
		}
		s.ok("SetDeadline", q.SetDeadline(ago))
		s.wantErr("Send after the write deadline to a queue with room ("+mode+")", q.Send(bg, []byte("x"), 0), os.ErrDeadlineExceeded)
		_, err := q.Write([]byte("x"))
		s.wantErr("Write after the write deadline to a queue with room ("+mode+")", err, os.ErrDeadlineExceeded)
		_, _, err = q.Receive(bg, buf)
		s.wantErr("Receive after the read deadline from a queue holding a message ("+mode+")", err, os.ErrDeadlineExceeded)
		_, err = q.Read(buf)
		s.wantErr("Read after the read deadline from a queue holding a message ("+mode+")", err, os.ErrDeadlineExceeded)
		s.ok("SetDeadline(zero)", q.SetDeadline(time.Time{}))
	}
	s.ok("SetNonblocking(false)", q.SetNonblocking(false))
	if n := s.curMessages(q); n != 1 {
		s.Errorf("after calls that failed before trying, the queue holds %d messages; want 1", n)
	}
	if n, _, err := q.Receive(bg, buf); s.ok("Receive", err) && string(buf[:n]) != "kept" {
		s.Errorf("Receive = %q; want %q", buf[:n], "kept")
	}

	// A semaphore with a unit: every acquire could take it at once.
	_, sem := s.createSem(1)
	for _, c := range contexts {
		s.wantErr("Acquire with "+c.what+" on a semaphore at 1", sem.Acquire(c.ctx), c.want)
	}
	s.ok("SetDeadline", sem.SetDeadline(ago))
	s.wantErr("Acquire after the deadline on a semaphore at 1", sem.Acquire(bg), os.ErrDeadlineExceeded)
	_, err := sem.Read(make([]byte, 1))
	s.wantErr("Read after the deadline on a semaphore at 1", err, os.ErrDeadlineExceeded)
	if v, err := sem.Value(); s.ok("Value", err) && v != 1 {
		s.Errorf("after acquires that failed before trying, the value is %d; want 1", v)
	}
	// TryAcquire (posix_ipc's acquire(0)) never waits: no deadline applies.
	if s.ok("TryAcquire with a past deadline on a semaphore at 1", sem.TryAcquire()) {
		s.ok("Release", sem.Release())
	}
	s.ok("SetDeadline(zero)", sem.SetDeadline(time.Time{}))
}
