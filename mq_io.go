package ipcfs

// Sending and receiving messages. Every attempt is a non-blocking system
// call made from a RawConn callback; when it would block (EAGAIN) and the
// handle is in blocking mode, the goroutine first sleeps in the kernel for
// at most mqSleepBound (mq_sleep.go), then, if nothing came, the callback
// returns false and the goroutine parks on the runtime poller until the
// queue becomes non-full or non-empty, holding no OS thread.
//
// Contexts are turned into poller deadlines, as net does: when ctx ends, the
// direction's deadline is moved to the past, which wakes the waiter; other
// goroutines woken by it (their context is fine and the user's deadline has
// not passed) wait until the cancellation is over and retry. A wait cut
// short has sent or received nothing: the system call either completed
// (and the call succeeds, even if the wait was being cut short meanwhile) or
// did not run.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sleepers"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// Send sends msg as one message at priority prio (mq_timedsend; posix_ipc's
// send). It waits while the queue is full, unless the handle is
// non-blocking (ErrWouldBlock), until ctx ends (ctx.Err()) or the write
// deadline passes (os.ErrDeadlineExceeded); in those cases nothing is sent.
// A ctx already done or a write deadline already past fails before trying,
// even when the queue has room and even in non-blocking mode (Go's rule, as
// for net.Conn; posix_ipc's timeout=0 is non-blocking mode). A waiting Send
// sleeps in the kernel first, as Receive does. msg may hold
// any bytes, NUL included, up to the queue's MessageSize (longer: an error
// satisfying errors.Is(err, syscall.EMSGSIZE), nothing sent). prio above
// MqPriorityMax gives fs.ErrInvalid. A handle opened O_RDONLY fails with an
// error matching fs.ErrPermission and syscall.EBADF (posix_ipc's
// PermissionsError). All errors are *fs.PathError.
func (q *MqFile) Send(ctx context.Context, msg []byte, prio uint) error {
	return q.send(ctx, "send", msg, prio)
}

// Receive receives the highest-priority, oldest message into buf and returns
// its length and priority (mq_timedreceive; posix_ipc's receive). It waits
// while the queue is empty, unless the handle is non-blocking
// (ErrWouldBlock), until ctx ends (ctx.Err()) or the read deadline passes
// (os.ErrDeadlineExceeded); in those cases nothing is received. A ctx
// already done or a read deadline already past fails before trying, even
// when a message is queued and even in non-blocking mode (Go's rule, as for
// net.Conn; posix_ipc's timeout=0 is non-blocking mode). A handle opened
// O_WRONLY fails with an error matching fs.ErrPermission and syscall.EBADF
// (posix_ipc's PermissionsError).
//
// A waiting Receive first sleeps in the kernel, in mq_timedreceive, for at
// most 5 ms (mqSleepBound), as a C receiver does, so that a message sent
// meanwhile reaches it at C's speed; then it parks on the runtime poller and
// holds no thread. A cancellation, a deadline change or Close reaches a
// sleeping Receive within those 5 ms. A message the kernel hands to it is
// returned, even if ctx ended meanwhile. Such a message is never queued, so
// it fires no Notify registration (see Notify).
//
// buf may be shorter than the queue's MessageSize. If the message does not
// fit, Receive returns io.ErrShortBuffer and the handle keeps the message:
// the next Read or Receive on this handle with a large enough buffer returns
// it, before any message still in the queue, whatever its priority. The held
// message has left the kernel's queue: other handles and processes cannot
// receive it, and closing this handle discards it.
func (q *MqFile) Receive(ctx context.Context, buf []byte) (n int, prio uint, err error) {
	return q.receive(ctx, "receive", buf)
}

// Read receives one whole message into p, waiting as Receive does (with no
// context; the read deadline bounds it), and returns its length; the
// priority is dropped. One Read is one message, never part of one: a p
// shorter than the next message gives 0, io.ErrShortBuffer, and the handle
// keeps that message for its next Read or Receive with a large enough
// buffer (see Receive), so nothing is lost. Readers that start small
// therefore stop at the first message longer than their buffer:
// io.ReadAll's first Read has 512 bytes and a default bufio.NewReader
// buffers 4096, while the default message size is 8192. Give a reader a
// buffer of the queue's MessageSize instead:
// bufio.NewReaderSize(q, int(attr.MessageSize)) (see the example). An empty
// message returns 0, nil. An empty p returns 0, nil at once.
func (q *MqFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, q.checkValid("read")
	}
	n, _, err := q.receive(context.Background(), "read", p)
	return n, err
}

// Write sends p as one message at the handle's priority (SetPriority),
// waiting as Send does (with no context; the write deadline bounds it, and
// one already past fails before trying). It returns len(p) or an error, in
// which case nothing was sent.
func (q *MqFile) Write(p []byte) (int, error) {
	if q == nil {
		return 0, q.checkValid("write")
	}
	if err := q.send(context.Background(), "write", p, uint(q.prio.Load())); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ReadFrom sends the bytes of r as a stream of messages at the handle's
// priority, so io.Copy(queue, file) works: every message is exactly
// MessageSize bytes long except the last one, which is shorter (possibly
// empty) and marks the end. A reader reassembles the stream by concatenating
// the messages it receives until the first one shorter than MessageSize —
// which is what WriteTo (io.Copy(file, queue)) does — as long as no other
// writer sends to the queue meanwhile and all are sent at one priority. It
// returns the bytes sent; on an error from r the bytes read so far are sent
// first, without the end marker. Each send waits as Write does (the write
// deadline bounds it). Note that io.Copy prefers the source's
// WriteTo when it has one (bytes.Reader, strings.Reader, which would Write
// everything as one message): call q.ReadFrom(src) directly for those.
func (q *MqFile) ReadFrom(r io.Reader) (n int64, err error) {
	if err := q.checkSend("write"); err != nil {
		return 0, err
	}
	if r == nil {
		return 0, &fs.PathError{Op: "write", Path: q.name, Err: fs.ErrInvalid}
	}
	buf := make([]byte, q.msgSize)
	prio := uint(q.prio.Load())
	for {
		m, rerr := io.ReadFull(r, buf)
		end := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if m > 0 || end {
			if err := q.send(context.Background(), "write", buf[:m], prio); err != nil {
				return n, err
			}
			n += int64(m)
		}
		if end {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// WriteTo receives messages and writes them to w until it has written one
// shorter than MessageSize (the end of a stream sent by ReadFrom), so
// io.Copy(file, queue) reassembles what io.Copy(queue, file) sent. It waits
// for messages as Read does and returns the bytes written.
func (q *MqFile) WriteTo(w io.Writer) (n int64, err error) {
	if err := q.checkReceive("read"); err != nil {
		return 0, err
	}
	if w == nil { // before a message is taken off the queue and lost
		return 0, &fs.PathError{Op: "read", Path: q.name, Err: fs.ErrInvalid}
	}
	buf := make([]byte, q.msgSize)
	for {
		m, _, err := q.receive(context.Background(), "read", buf)
		if err != nil {
			return n, err
		}
		k, err := w.Write(buf[:m])
		n += int64(k)
		if err != nil {
			return n, err
		}
		if int64(m) < q.msgSize {
			return n, nil
		}
	}
}

func (q *MqFile) send(ctx context.Context, op string, msg []byte, prio uint) error {
	if err := q.checkSend(op); err != nil {
		return err
	}
	if prio > MqPriorityMax {
		return &fs.PathError{Op: op, Path: q.name, Err: kind.PriorityTooHigh(prio, MqPriorityMax)}
	}
	if int64(len(msg)) > q.msgSize {
		return &fs.PathError{Op: op, Path: q.name, Err: kind.MessageTooLong(len(msg), q.msgSize)}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	q.wr.paceSleep()
	o := mqGetOp(q, ctx, msg, prio)
	err := q.wait(ctx, true, o.sendFn)
	if err == nil {
		err = o.err
	}
	mqPutOp(o)
	return pathError(op, q.name, err)
}

func (q *MqFile) receive(ctx context.Context, op string, buf []byte) (int, uint, error) {
	if err := q.checkReceive(op); err != nil {
		return 0, 0, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	q.rd.paceSleep()
	o := mqGetOp(q, ctx, buf, 0)
	err := q.wait(ctx, false, o.recvFn)
	if err == nil {
		err = o.err
	}
	n, prio := o.n, o.prio
	mqPutOp(o)
	if err != nil {
		return 0, 0, pathError(op, q.name, err)
	}
	return n, prio, nil
}

// checkReceive is checkValid plus the handle's read access.
func (q *MqFile) checkReceive(op string) error {
	if err := q.checkValid(op); err != nil {
		return err
	}
	if !q.canRecv {
		return &fs.PathError{Op: op, Path: q.name, Err: kind.NotReadable()}
	}
	return nil
}

// checkSend is checkValid plus the handle's write access.
func (q *MqFile) checkSend(op string) error {
	if err := q.checkValid(op); err != nil {
		return err
	}
	if !q.canSend {
		return &fs.PathError{Op: op, Path: q.name, Err: kind.NotWritable()}
	}
	return nil
}

// wait runs fn through the poller until it reports done, the handle is
// closed, ctx ends or the direction's deadline passes.
func (q *MqFile) wait(ctx context.Context, write bool, fn func(uintptr) bool) error {
	side := &q.rd
	if write {
		side = &q.wr
	}
	var kicked chan struct{}
	var stop func() bool
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		kicked = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			side.kick()
			close(kicked)
		})
	}
	var err error
	for {
		if write {
			err = q.rc.Write(fn)
		} else {
			err = q.rc.Read(fn)
		}
		if err == nil || q.closed.Load() || !errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
			break
		}
		if err = side.afterTimeout(ctx); err != nil {
			break
		}
	}
	if stop != nil && !stop() {
		<-kicked
		side.unkick()
	}
	if err != nil && q.closed.Load() {
		err = fs.ErrClosed
	}
	return err
}

// mqSide multiplexes the poller deadline of one direction (receives or
// sends) between the user's deadline and context cancellations in progress.
type mqSide struct {
	// direct counts the calls of this direction that are still to call
	// the kernel without trying first (mq_sleep.go).
	direct atomic.Int32
	// pace paces the goroutines that sleep in the kernel in this
	// direction (mq_sleep.go).
	pace sleepers.Pacer

	mu    sync.Mutex
	set   func(time.Time) error // the os.File deadline setter
	user  time.Time             // the deadline the user set
	kicks int                   // cancellations in progress
	idle  chan struct{}         // closed when kicks drops back to 0
}

// mqLongAgo is a deadline that has always passed.
var mqLongAgo = time.Unix(1, 0)

func (s *mqSide) setUser(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = t
	if s.kicks > 0 {
		return nil // applied by the last unkick
	}
	return s.set(t)
}

// kick wakes every waiter of this direction, for a cancelled context.
func (s *mqSide) kick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kicks == 0 {
		s.idle = make(chan struct{})
	}
	s.kicks++
	s.set(mqLongAgo) // fails only when closed, and then waiters wake anyway
}

// unkick ends a cancellation; the last one restores the user's deadline.
func (s *mqSide) unkick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kicks--
	if s.kicks == 0 {
		s.set(s.user)
		close(s.idle)
		s.idle = nil
	}
}

// afterTimeout decides what a waiter woken by a deadline does when its own
// context is live: os.ErrDeadlineExceeded if the user's deadline passed,
// else wait for the cancellations in progress to end and retry (nil).
func (s *mqSide) afterTimeout(ctx context.Context) error {
	s.mu.Lock()
	if !s.user.IsZero() && !time.Now().Before(s.user) {
		s.mu.Unlock()
		return os.ErrDeadlineExceeded
	}
	idle := s.idle
	s.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// mqOp carries one send or receive through a RawConn callback. The
// callbacks are bound once per pooled op, so steady-state sends and
// receives allocate nothing.
type mqOp struct {
	q      *MqFile
	ctx    context.Context
	buf    []byte
	prio   uint
	n      int
	err    error
	slept  bool // the wait has had its chance to sleep in the kernel
	sendFn func(uintptr) bool
	recvFn func(uintptr) bool
}

var mqOpPool = sync.Pool{New: func() any {
	o := new(mqOp)
	o.sendFn = o.doSend
	o.recvFn = o.doRecv
	return o
}}

func mqGetOp(q *MqFile, ctx context.Context, buf []byte, prio uint) *mqOp {
	o := mqOpPool.Get().(*mqOp)
	o.q, o.ctx, o.buf, o.prio, o.n, o.err, o.slept = q, ctx, buf, prio, 0, nil, false
	return o
}

func mqPutOp(o *mqOp) {
	o.q, o.ctx, o.buf, o.err = nil, nil, nil, nil
	mqOpPool.Put(o)
}

// doSend sends: by a call into the kernel at once in a conversation, else
// by a try first (mq_sleep.go). On a full queue it sleeps in the kernel,
// once per wait, then reports false, to park on the poller.
func (o *mqOp) doSend(fd uintptr) bool {
	var err error
	called := false
	if !o.slept && o.q.wr.takeDirect() {
		called, err = o.sleepSend(fd) // a conversation: call the kernel at once
	}
	if !called {
		err = mq.TrySend(int(fd), o.buf, o.prio)
		if err == sys.EAGAIN && !o.q.nonblock.Load() {
			o.q.wr.direct.Store(mqDirectRun)
			_, err = o.sleepSend(fd)
		}
	}
	if err == sys.EAGAIN && !o.q.nonblock.Load() {
		return false
	}
	o.err = err
	return true
}

// doRecv delivers the message held back by an earlier short receive, if
// any, else receives one: straight into the caller's buffer when it can hold
// MessageSize bytes (the kernel's rule), else into the handle's buffer,
// keeping the message there if it does not fit the caller's. It calls the
// kernel as doSend does; on an empty queue it sleeps in the kernel, once per
// wait, then reports false, to park on the poller.
func (o *mqOp) doRecv(fd uintptr) bool {
	q := o.q
	if q.deliverHeld(o) {
		return true
	}
	dst, internal := o.buf, false
	if int64(len(dst)) < q.msgSize {
		if q.rbuf == nil {
			q.rbuf = make([]byte, q.msgSize)
		}
		dst, internal = q.rbuf, true
	}
	var n int
	var prio uint
	var err error
	called := false
	if !o.slept && q.rd.takeDirect() {
		n, prio, called, err = o.sleepReceive(fd, dst) // a conversation: call the kernel at once
	}
	if !called {
		n, prio, err = mq.TryReceive(int(fd), dst)
		if err == sys.EAGAIN && !q.nonblock.Load() {
			q.rd.direct.Store(mqDirectRun)
			n, prio, _, err = o.sleepReceive(fd, dst)
		}
	}
	if err == sys.EAGAIN && !q.nonblock.Load() {
		return false
	}
	if err != nil {
		o.err = err
		return true
	}
	if internal && n > len(o.buf) {
		q.rmu.Lock()
		q.pending, q.pendN, q.pendPrio = true, n, prio
		q.rmu.Unlock()
		o.err = io.ErrShortBuffer
		return true
	}
	if internal {
		copy(o.buf, dst[:n])
	}
	o.n, o.prio = n, prio
	return true
}

// deliverHeld completes o with the message held back by an earlier short
// receive, if there is one, and reports whether there was.
func (q *MqFile) deliverHeld(o *mqOp) bool {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	if !q.pending {
		return false
	}
	if len(o.buf) < q.pendN {
		o.err = io.ErrShortBuffer
		return true
	}
	o.n, o.prio = copy(o.buf, q.rbuf[:q.pendN]), q.pendPrio
	q.pending = false
	return true
}
