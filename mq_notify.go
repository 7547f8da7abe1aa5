package ipcfs

// Queue notifications (mq_notify). Callbacks use glibc's SIGEV_THREAD
// mechanism done in pure Go: one process-wide netlink socket on the runtime
// poller, read by one goroutine while registrations exist; each
// registration gives the kernel a 32-byte cookie holding its id, which the
// kernel sends back to the socket when the notification fires (last byte 1)
// or the registration is removed (last byte 2). No thread is held per
// registration.

import (
	"encoding/binary"
	"io/fs"
	"os"
	"sync"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// Notify asks for fn to be called, in a new goroutine, once, when a message
// arrives in the empty queue (mq_notify with SIGEV_THREAD; posix_ipc's
// request_notification((callback, param))). The registration is then gone
// (one-shot); fn may call Notify again to re-arm.
//
// The kernel rules apply: only one process may be registered on a queue
// (otherwise ErrBusy, also when this process already is, through any
// handle); nothing fires when a receiver is sleeping in mq_receive, as it
// takes the message directly; and the registration is removed by
// CancelNotify, or when this process closes any descriptor of the queue —
// any MqFile of it, not only this one.
//
// A Receive of this process that waits sleeps in mq_timedreceive for its
// first millisecond (see Receive): a message arriving then goes straight to
// it, fires nothing, and the registration stays armed for the next message
// that finds the queue empty. Once the Receive waits on the runtime poller,
// the message is queued first, so the registration fires, and the Receive
// gets the message too.
func (q *MqFile) Notify(fn func()) error {
	if err := q.checkValid("notify"); err != nil {
		return err
	}
	if fn == nil {
		return &fs.PathError{Op: "notify", Path: q.name, Err: kind.NilNotify()}
	}
	return mqNotifier.register(q, fn)
}

// NotifyChan is Notify with a channel: it returns a channel that receives one
// value when the notification fires, and is never closed.
func (q *MqFile) NotifyChan() (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	if err := q.Notify(func() { ch <- struct{}{} }); err != nil {
		return nil, err
	}
	return ch, nil
}

// NotifySignal asks for the signal sig to be sent to this process, once,
// when a message arrives in the empty queue (mq_notify with SIGEV_SIGNAL;
// posix_ipc's request_notification(signum)). The registration rules of
// Notify apply.
//
// sig must be a signal the program may catch and the Go runtime leaves to
// it: SIGUSR1, SIGUSR2, or a real-time signal from MqSignalMin (35) to
// MqSignalMax (64). Every other signal gives fs.ErrInvalid and registers
// nothing: SIGKILL and SIGSTOP cannot be caught (a message would kill or
// stop the process), the runtime uses SIGURG, SIGPROF, SIGSEGV and the
// like, glibc and the runtime reserve 32 to 34, and the terminal and job
// control signals (SIGINT, SIGTERM, SIGHUP, SIGCHLD, ...) mean something
// else already.
//
// Call os/signal.Notify for sig before NotifySignal: a signal nobody asked
// for is dropped. os/signal delivers real-time signals only as a number, so
// use one per queue.
func (q *MqFile) NotifySignal(sig os.Signal) error {
	if err := q.checkValid("notify"); err != nil {
		return err
	}
	s, ok := sys.SignalNumber(sig)
	switch {
	case !ok:
		return &fs.PathError{Op: "notify", Path: q.name, Err: kind.InvalidParam("signal %v is not a syscall.Signal", sig)}
	case sys.UserSignal(s) || s >= MqSignalMin && s <= MqSignalMax:
	case s >= 32 && s < MqSignalMin:
		return &fs.PathError{Op: "notify", Path: q.name, Err: kind.InvalidParam("signal %d is reserved by glibc and the Go runtime (use SIGUSR1, SIGUSR2 or %d..%d)", s, MqSignalMin, MqSignalMax)}
	case s < 1 || s > MqSignalMax:
		return &fs.PathError{Op: "notify", Path: q.name, Err: kind.InvalidParam("signal %d is outside 1..%d (use SIGUSR1, SIGUSR2 or %d..%d)", s, MqSignalMax, MqSignalMin, MqSignalMax)}
	default:
		return &fs.PathError{Op: "notify", Path: q.name, Err: kind.InvalidParam("signal %d (%v) is not free for the program: it cannot be caught, or the Go runtime or the terminal uses it (use SIGUSR1, SIGUSR2 or %d..%d)", s, sig, MqSignalMin, MqSignalMax)}
	}
	return q.control("notify", func(fd int) error { return mq.NotifySignal(fd, s) })
}

// CancelNotify removes this process's notification registration on the
// queue, if there is one (mq_notify(NULL); posix_ipc's
// request_notification(None)). A callback registered with Notify is then
// never called. Registrations of other processes are left alone.
func (q *MqFile) CancelNotify() error {
	return q.control("cancelnotify", mq.NotifyCancel)
}

// mqNotifier is the process-wide netlink listener for Notify.
var mqNotifier = &mqNotifyListener{regs: map[uint64]func(){}}

type mqNotifyListener struct {
	mu      sync.Mutex
	sock    int // the netlink socket; -1 until first used; never closed
	rc      syscall.RawConn
	file    *os.File
	running bool // a goroutine reads the socket
	next    uint64
	regs    map[uint64]func()
}

// initLocked opens the netlink socket on first use.
func (l *mqNotifyListener) initLocked() error {
	if l.file != nil {
		return nil
	}
	fd, err := mq.NetlinkSocket()
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), "mq-notify-netlink")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return err
	}
	l.sock, l.file, l.rc = fd, f, rc
	return nil
}

func (l *mqNotifyListener) register(q *MqFile, fn func()) error {
	l.mu.Lock()
	if err := l.initLocked(); err != nil {
		l.mu.Unlock()
		return pathError("notify", q.name, err)
	}
	l.next++
	id := l.next
	l.regs[id] = fn
	sock := l.sock
	l.mu.Unlock()

	cookie := new([mq.CookieLen]byte)
	binary.LittleEndian.PutUint64(cookie[:8], id)
	copy(cookie[8:], "ipcfs-mq")
	err := q.control("notify", func(fd int) error { return mq.NotifyThread(fd, sock, cookie) })

	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		delete(l.regs, id)
		return err
	}
	if !l.running {
		l.running = true
		go l.loop()
	}
	return nil
}

// loop reads cookies until no registration is left.
func (l *mqNotifyListener) loop() {
	var buf [2 * mq.CookieLen]byte
	var n int
	var rerr error
	read := func(fd uintptr) bool {
		n, rerr = mq.Read(int(fd), buf[:])
		return rerr != sys.EAGAIN
	}
	for {
		if err := l.rc.Read(read); err != nil || rerr != nil || n != mq.CookieLen {
			continue // ENOBUFS (lost cookies) or a stray datagram
		}
		id := binary.LittleEndian.Uint64(buf[:8])
		l.mu.Lock()
		fn := l.regs[id]
		delete(l.regs, id)
		done := len(l.regs) == 0
		if done {
			l.running = false
		}
		l.mu.Unlock()
		if fn != nil && buf[mq.CookieLen-1] == mq.NotifyWokenUp { // not mq.NotifyRemoved
			go fn()
		}
		if done {
			return
		}
	}
}
