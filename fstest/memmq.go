package fstest

import (
	"context"
	"io"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// memMsg is one queued message.
type memMsg struct {
	data []byte
	prio uint
}

// memMq is an in-memory message queue.
type memMq struct {
	meta
	maxMsgs int64
	msgSize int64
	msgs    []memMsg // highest priority first, FIFO within a priority
	bytes   int64    // payload bytes queued
	changed broadcast

	recvWaiters int        // receivers blocked on an empty queue
	notifyOwner *memMqFile // handle holding the notification, or nil
	notifyFn    func()     // its callback
}

func (q *memMq) info() fs.FileInfo {
	q.mu.Lock()
	defer q.mu.Unlock()
	return kind.Mq.StatusInfo(q.name, q.perm, q.mtime, q.sysInfo())
}

// sysInfo returns the queue's MqInfo. q.mu must be held.
func (q *memMq) sysInfo() ipcfs.MqInfo {
	return ipcfs.MqInfo{Attr: ipcfs.MqAttr{MaxMessages: q.maxMsgs, MessageSize: q.msgSize, CurMessages: int64(len(q.msgs))}, Bytes: q.bytes}
}

// insert queues m after every message of the same or higher priority and
// fires the notification on the empty to non-empty transition when no
// receiver is waiting, as the kernel does. q.mu must be held.
func (q *memMq) insert(m memMsg) {
	i := len(q.msgs)
	for i > 0 && q.msgs[i-1].prio < m.prio {
		i--
	}
	q.msgs = append(q.msgs, memMsg{})
	copy(q.msgs[i+1:], q.msgs[i:])
	q.msgs[i] = m
	q.bytes += int64(len(m.data))
	q.touch()
	q.changed.notify()
	if len(q.msgs) == 1 && q.recvWaiters == 0 && q.notifyFn != nil {
		fn := q.notifyFn
		q.notifyOwner, q.notifyFn = nil, nil
		go fn()
	}
}

// OpenMq opens or creates an in-memory queue, as ipcfs.OpenMq does: flag
// takes os.O_RDONLY, os.O_WRONLY, os.O_RDWR, os.O_CREATE, os.O_EXCL and
// syscall.O_NONBLOCK; attr sets a new queue's capacity and message size
// (nil, or a zero field: DefaultMaxMessages, DefaultMessageSize) and is
// ignored for an existing queue. Attributes out of range (negative, above
// MaxMessagesLimit or MessageSizeLimit), other flags and the access mode
// O_WRONLY|O_RDWR give errors matching fs.ErrInvalid and syscall.EINVAL, as
// on the host.
func (m *MemFS) OpenMq(name string, flag int, perm fs.FileMode, attr *ipcfs.MqAttr) (ipcfs.Mq, error) {
	f, err := m.openMq(name, name, flag, perm, attr)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// openMq opens the queue name; errors are about p (the path or name the
// caller gave).
func (m *MemFS) openMq(p, name string, flag int, perm fs.FileMode, attr *ipcfs.MqAttr) (*memMqFile, error) {
	n, err := kind.Mq.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	if err := kind.Mq.CheckFlags(flag); err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	var a ipcfs.MqAttr
	if attr != nil {
		a = *attr
	}
	if a.MaxMessages < 0 {
		return nil, &fs.PathError{Op: "open", Path: p, Err: kind.NegativeAttr("MaxMessages", a.MaxMessages)}
	}
	if a.MessageSize < 0 {
		return nil, &fs.PathError{Op: "open", Path: p, Err: kind.NegativeAttr("MessageSize", a.MessageSize)}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, _, err := m.create(p, kind.Mq, n, flag, func() (object, error) {
		maxMsgs := kind.MqAttrOrDefault(a.MaxMessages, DefaultMaxMessages, MaxMessagesLimit)
		msgSize := kind.MqAttrOrDefault(a.MessageSize, DefaultMessageSize, MessageSizeLimit)
		if maxMsgs > MaxMessagesLimit {
			return nil, kind.MqAttrTooLarge("max messages", maxMsgs, MaxMessagesLimit, "fstest.MaxMessagesLimit", "")
		}
		if msgSize > MessageSizeLimit {
			return nil, kind.MqAttrTooLarge("message size", msgSize, MessageSizeLimit, "fstest.MessageSizeLimit", "")
		}
		q := &memMq{maxMsgs: maxMsgs, msgSize: msgSize}
		q.init(m, n, perm)
		return q, nil
	})
	if err != nil {
		return nil, err
	}
	f := &memMqFile{obj: o.(*memMq)}
	f.h.init(kind.Mq, n, flag)
	f.nonblock.Store(flag&sys.O_NONBLOCK != 0)
	return f, nil
}

// memMqFile is an open in-memory queue; it implements ipcfs.Mq.
type memMqFile struct {
	h        handle
	obj      *memMq
	nonblock atomic.Bool
	prio     atomic.Uint32
	rdl, wdl deadline
}

var _ ipcfs.Mq = (*memMqFile)(nil)

func (f *memMqFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.h
}

// Name returns the name the queue was opened by: "/x", or "mq/x" by path.
func (f *memMqFile) Name() string { return f.hd().Name() }

// Stat returns the queue's FileInfo, as the namespace's Stat: Size the
// length of the status text, Sys an ipcfs.MqInfo (attributes, bytes queued).
func (f *memMqFile) Stat() (fs.FileInfo, error) {
	if err := f.hd().checkValid("stat"); err != nil {
		return nil, err
	}
	return f.obj.info(), nil
}

// Send queues msg at prio, waiting while the queue is full (see
// ipcfs.Mq.Send: a ctx already done or a deadline already past fails before
// trying). Errors: EINVAL for prio above MqPriorityMax, EMSGSIZE for a
// message longer than the queue's message size, fs.ErrPermission (and
// EBADF) on a handle not open for writing, ErrWouldBlock, ctx.Err(),
// os.ErrDeadlineExceeded, fs.ErrClosed.
func (f *memMqFile) Send(ctx context.Context, msg []byte, prio uint) error {
	return f.send("send", ctx, msg, prio)
}

func (f *memMqFile) send(op string, ctx context.Context, msg []byte, prio uint) error {
	if err := f.hd().checkWrite(op); err != nil {
		return err
	}
	if prio > MqPriorityMax {
		return f.h.err(op, kind.PriorityTooHigh(prio, MqPriorityMax))
	}
	q := f.obj
	if int64(len(msg)) > q.msgSize {
		return f.h.err(op, kind.MessageTooLong(len(msg), q.msgSize))
	}
	m := memMsg{data: append([]byte(nil), msg...), prio: prio}
	err := block(ctx, &f.wdl, f.h.closed, func() (bool, <-chan struct{}, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		if int64(len(q.msgs)) < q.maxMsgs {
			q.insert(m)
			return true, nil, nil
		}
		if f.nonblock.Load() {
			return false, nil, ipcfs.ErrWouldBlock
		}
		return false, q.changed.wait(), nil
	})
	return f.h.err(op, err)
}

// Receive takes the highest-priority message into buf (see
// ipcfs.Mq.Receive: a ctx already done or a deadline already past fails
// before trying). A buf shorter than that message gives io.ErrShortBuffer
// and leaves it queued; a handle not open for reading gives
// fs.ErrPermission (and EBADF).
func (f *memMqFile) Receive(ctx context.Context, buf []byte) (int, uint, error) {
	return f.receive("receive", ctx, buf)
}

func (f *memMqFile) receive(op string, ctx context.Context, buf []byte) (n int, prio uint, err error) {
	if err := f.hd().checkRead(op); err != nil {
		return 0, 0, err
	}
	q := f.obj
	waiting := false
	err = block(ctx, &f.rdl, f.h.closed, func() (bool, <-chan struct{}, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		if waiting {
			q.recvWaiters--
			waiting = false
		}
		if len(q.msgs) > 0 {
			m := q.msgs[0]
			if len(buf) < len(m.data) {
				return false, nil, io.ErrShortBuffer
			}
			n, prio = copy(buf, m.data), m.prio
			q.msgs[0] = memMsg{}
			q.msgs = q.msgs[1:]
			q.bytes -= int64(len(m.data))
			q.touch()
			q.changed.notify()
			return true, nil, nil
		}
		if f.nonblock.Load() {
			return false, nil, ipcfs.ErrWouldBlock
		}
		q.recvWaiters++
		waiting = true
		return false, q.changed.wait(), nil
	})
	if waiting {
		q.mu.Lock()
		q.recvWaiters--
		q.mu.Unlock()
	}
	if err != nil {
		return 0, 0, f.h.err(op, err)
	}
	return n, prio, nil
}

// Write sends p as one message at the handle's priority, waiting as Send
// does (bounded by the write deadline).
func (f *memMqFile) Write(p []byte) (int, error) {
	if err := f.send("write", context.Background(), p, uint(f.prioLoad())); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *memMqFile) prioLoad() uint32 {
	if f == nil {
		return 0
	}
	return f.prio.Load()
}

// Read receives one whole message into p, as Receive does; a p shorter
// than the message gives io.ErrShortBuffer and leaves it queued (see
// ipcfs.MqFile.Read).
func (f *memMqFile) Read(p []byte) (int, error) {
	n, _, err := f.receive("read", context.Background(), p)
	return n, err
}

// Attr returns the queue's attributes and the handle's non-blocking flag.
func (f *memMqFile) Attr() (ipcfs.MqAttr, error) {
	if err := f.hd().checkValid("attr"); err != nil {
		return ipcfs.MqAttr{}, err
	}
	f.obj.mu.Lock()
	a := f.obj.sysInfo().Attr
	f.obj.mu.Unlock()
	a.Nonblocking = f.nonblock.Load()
	return a, nil
}

// SetNonblocking switches the handle between blocking and non-blocking mode.
func (f *memMqFile) SetNonblocking(nonblocking bool) error {
	if err := f.hd().checkValid("setnonblocking"); err != nil {
		return err
	}
	f.nonblock.Store(nonblocking)
	return nil
}

// SetPriority sets the priority Write sends at; above MqPriorityMax it
// is EINVAL.
func (f *memMqFile) SetPriority(prio uint) error {
	if err := f.hd().checkValid("setpriority"); err != nil {
		return err
	}
	if prio > MqPriorityMax {
		return f.h.err("setpriority", kind.PriorityTooHigh(prio, MqPriorityMax))
	}
	f.prio.Store(uint32(prio))
	return nil
}

// SetDeadline sets the read and write deadlines.
func (f *memMqFile) SetDeadline(t time.Time) error {
	if err := f.hd().checkValid("setdeadline"); err != nil {
		return err
	}
	f.rdl.set(t)
	f.wdl.set(t)
	return nil
}

// SetReadDeadline bounds Read and Receive waits.
func (f *memMqFile) SetReadDeadline(t time.Time) error {
	if err := f.hd().checkValid("setreaddeadline"); err != nil {
		return err
	}
	f.rdl.set(t)
	return nil
}

// SetWriteDeadline bounds Write and Send waits.
func (f *memMqFile) SetWriteDeadline(t time.Time) error {
	if err := f.hd().checkValid("setwritedeadline"); err != nil {
		return err
	}
	f.wdl.set(t)
	return nil
}

// Notify registers fn for the queue's next empty to non-empty transition;
// ErrBusy if a registration exists (from any handle). fn runs once, on a
// new goroutine, and may call Notify again. Nothing fires while a receiver
// is waiting (it takes the message), and closing any handle of the queue
// removes the registration, as on the host.
func (f *memMqFile) Notify(fn func()) error {
	if err := f.hd().checkValid("notify"); err != nil {
		return err
	}
	if fn == nil {
		return f.h.err("notify", kind.NilNotify())
	}
	q := f.obj
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.notifyFn != nil {
		return f.h.err("notify", ipcfs.ErrBusy)
	}
	q.notifyOwner, q.notifyFn = f, fn
	return nil
}

// CancelNotify removes this handle's registration, if it holds one.
func (f *memMqFile) CancelNotify() error {
	if err := f.hd().checkValid("cancelnotify"); err != nil {
		return err
	}
	f.obj.cancelNotify(f)
	return nil
}

func (q *memMq) cancelNotify(f *memMqFile) {
	q.mu.Lock()
	if q.notifyOwner == f {
		q.notifyOwner, q.notifyFn = nil, nil
	}
	q.mu.Unlock()
}

// Close closes the handle: its waiters return fs.ErrClosed. As on the host,
// where the kernel removes a process's registration when the process closes
// any descriptor of the queue, closing any handle of the queue removes the
// queue's notification registration. A second Close gives fs.ErrClosed.
func (f *memMqFile) Close() error {
	if err := f.hd().close(); err != nil {
		return err
	}
	q := f.obj
	q.mu.Lock()
	q.notifyOwner, q.notifyFn = nil, nil
	q.mu.Unlock()
	return nil
}
