package ipcfs

// This file holds the portable API of POSIX message queues: opening,
// removing, attributes, stat and the handle's life cycle. Sending and
// receiving are in mq_io.go, notifications in mq_notify.go, the
// system calls in internal/mq.

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// MqFile is an open POSIX message queue (mqd_t): an Mq whose
// descriptor lives on the Go runtime poller, so any number of goroutines can
// wait on it without holding an OS thread each. A wait first sleeps in the
// kernel for at most 5 ms, on a second, blocking descriptor of the queue
// the handle opens when it first waits, so that a busy conversation between
// processes runs at C's speed (see Receive).
//
// Write sends one message at the handle's priority (SetPriority); Read
// receives one whole message; Send and Receive take a context and a
// priority. Waits are bounded by deadlines (SetDeadline and friends) and
// contexts, and skipped in non-blocking mode (SetNonblocking). All methods are
// safe for concurrent use. Close wakes every goroutine waiting on the handle.
//
// A MqFile must be closed; it is not collected. This process keeps every
// open handle in a registry until its Close (a Stat of the queue by name
// reads its attributes through a descriptor already open), so a handle
// dropped without Close keeps its descriptor until the process exits. It is
// deliberately never closed behind the program's back: closing any
// descriptor of a queue cancels this process's notification registration
// on that queue (Notify).
//
// The descriptor is always non-blocking at the kernel level (other processes
// sharing it through fork see mq_flags with O_NONBLOCK); the handle's
// blocking mode is emulated by waiting on the poller, and Attr reports the
// handle's mode.
type MqFile struct {
	name    string // "/NAME", or the namespace path "mq/NAME" (see Name)
	posix   string // "NAME", the clean POSIX name: the handle registry's key
	fd      int
	canRecv bool // opened for reading (O_RDONLY or O_RDWR)
	canSend bool // opened for writing (O_WRONLY or O_RDWR)
	file    *os.File
	rc      syscall.RawConn
	maxMsg  int64
	msgSize int64

	nonblock atomic.Bool
	prio     atomic.Uint32
	closed   atomic.Bool

	rd, wr mqSide // deadlines of receives and sends

	// sleep is the handle's blocking descriptor of the queue, on which a
	// wait sleeps in the kernel before it parks on the poller (mq_sleep.go).
	sleep mqSleepFD

	// rbuf is the internal receive buffer for callers' buffers shorter
	// than MessageSize. Only receive callbacks use it, and the poller's
	// read lock runs them one at a time.
	rbuf []byte

	// rmu guards the message held in rbuf after a Read or Receive with a
	// buffer too small (see mq_io.go).
	rmu      sync.Mutex
	pending  bool
	pendN    int
	pendPrio uint
}

var _ Mq = (*MqFile)(nil)

// OpenMq opens the message queue name ("/jobs" or "jobs"), creating it if
// flag has os.O_CREATE (mq_open; posix_ipc's MessageQueue).
//
// flag is one of os.O_RDONLY, os.O_WRONLY, os.O_RDWR, or'ed with
// os.O_CREATE, os.O_EXCL and syscall.O_NONBLOCK (non-blocking mode). perm is
// a new queue's permission bits (the umask applies). attr sets a new queue's
// MaxMessages and MessageSize; attr is ignored when the queue exists.
//
// A nil attr, or a zero field, means the kernel's default for new queues:
// /proc/sys/fs/mqueue/msg_default and msgsize_default (10 and 8192 unless
// changed), each lowered to its limit (msg_max, msgsize_max), which is what
// mq_open with a NULL attr gives a C program. posix_ipc defaults
// max_messages to QUEUE_MESSAGES_MAX_DEFAULT instead, the host's msg_max
// (MqMaxMessagesDefault). The two agree (10) on hosts with the kernel's
// settings; where msg_max was raised, the kernel's default is the one that
// keeps ipcfs and C creating the same queue from the same call, and keeps a
// queue made without attributes small (its capacity counts against
// RLIMIT_MSGQUEUE whether used or not). For posix_ipc's default, pass
// &MqAttr{MaxMessages: MqMaxMessagesDefault()}.
//
// Errors, inside an *fs.PathError: fs.ErrNotExist, fs.ErrExist,
// fs.ErrPermission, fs.ErrInvalid for a bad name, flag or attribute; a queue
// above the msg_max or msgsize_max limits (EINVAL), beyond queues_max
// (ENOSPC) or beyond the user's RLIMIT_MSGQUEUE (EMFILE) gives an error that
// names the limit and how to raise it and still satisfies errors.Is with the
// errno.
func OpenMq(name string, flag int, perm fs.FileMode, attr *MqAttr) (*MqFile, error) {
	n, err := kind.Mq.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if err := mqCheckOpen(flag, attr); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	create := flag&os.O_CREATE != 0
	fd, a, err := mqOpen(n, flag&(mqAccMode|os.O_CREATE|os.O_EXCL), perm, attr)
	if err != nil {
		if errno, ok := err.(sys.Errno); ok {
			err = mqExplainOpen(errno, create, attr)
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	q, err := newMqFile("/"+n, fd, flag&mqAccMode, a)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	q.canRecv, q.canSend = kind.Mq.Access(flag)
	q.nonblock.Store(flag&sys.O_NONBLOCK != 0)
	return q, nil
}

const mqAccMode = os.O_RDONLY | os.O_WRONLY | os.O_RDWR

// mqCheckOpen validates OpenMq's flag and attr.
func mqCheckOpen(flag int, attr *MqAttr) error {
	if err := kind.Mq.CheckFlags(flag); err != nil {
		return err
	}
	if attr != nil {
		if attr.MaxMessages < 0 {
			return kind.NegativeAttr("MaxMessages", attr.MaxMessages)
		}
		if attr.MessageSize < 0 {
			return kind.NegativeAttr("MessageSize", attr.MessageSize)
		}
	}
	return nil
}

// mqOpen is mq_open with O_NONBLOCK added (a handle blocks on the runtime
// poller, not in the kernel); it returns the descriptor and the queue's
// attributes. attr sets a new queue's attributes, its zero fields the
// system's defaults.
func mqOpen(n string, flag int, perm fs.FileMode, attr *MqAttr) (int, MqAttr, error) {
	var ka *mq.Attr
	if flag&os.O_CREATE != 0 && attr != nil {
		ka = &mq.Attr{Maxmsg: attr.MaxMessages, Msgsize: attr.MessageSize}
		if ka.Maxmsg == 0 || ka.Msgsize == 0 {
			l, err := ReadMqLimits()
			if err != nil {
				return -1, MqAttr{}, err
			}
			ka.Maxmsg, ka.Msgsize = l.createAttr(attr)
		}
	}
	fd, err := mq.Open(n, flag|sys.O_NONBLOCK|syscall.O_CLOEXEC, uint32(perm.Perm()), ka)
	if err != nil {
		return -1, MqAttr{}, err
	}
	a, err := mqGetAttr(fd)
	if err != nil {
		mq.Close(fd)
		return -1, MqAttr{}, err
	}
	return fd, a, nil
}

// mqGetAttr returns the attributes of the queue fd (mq_getattr).
func mqGetAttr(fd int) (MqAttr, error) {
	a, err := mq.GetAttr(fd)
	if err != nil {
		return MqAttr{}, err
	}
	return MqAttr{MaxMessages: a.Maxmsg, MessageSize: a.Msgsize, CurMessages: a.Curmsgs}, nil
}

// newMqFile wraps the non-blocking queue descriptor fd, opened with access
// mode acc, in an os.File on the runtime poller. It never calls
// (*os.File).Fd, which would make the descriptor blocking again.
func newMqFile(name string, fd, acc int, a MqAttr) (*MqFile, error) {
	q := &MqFile{name: name, posix: name[1:], fd: fd, maxMsg: a.MaxMessages, msgSize: a.MessageSize}
	q.sleep.init(acc)
	q.file = os.NewFile(uintptr(fd), name)
	rc, err := q.file.SyscallConn()
	if err != nil {
		q.file.Close()
		return nil, err
	}
	q.rc = rc
	q.rd.set = q.file.SetReadDeadline
	q.wr.set = q.file.SetWriteDeadline
	mqHandles.add(q)
	return q, nil
}

// RemoveMq removes the queue name (mq_unlink; posix_ipc's
// unlink_message_queue). Open handles keep working; the queue goes away
// with the last of them. Errors, inside an *fs.PathError: fs.ErrNotExist,
// fs.ErrPermission (not the owner), fs.ErrInvalid for a bad name.
func RemoveMq(name string) error {
	n, err := kind.Mq.Clean(name)
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	if err := mq.Unlink(n); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: sys.UnlinkErrno(err)}
	}
	return nil
}

// Name returns the name the queue was opened by, which its errors carry
// too: the POSIX name with its leading slash ("/jobs") when opened with
// OpenMq, as posix_ipc's name attribute; the namespace path ("mq/jobs")
// when opened through a Namespace by path (OpenFile, CreateTemp), as
// os.File's Name.
func (q *MqFile) Name() string {
	if q == nil {
		return ""
	}
	return q.name
}

// Fd returns the queue descriptor (posix_ipc's mqd and fileno()), valid
// until Close. It is non-blocking; use it with poll or epoll, or pass it to
// C code. Do not close it. Fd returns ^uintptr(0) for a closed or nil
// handle, as os.File does.
func (q *MqFile) Fd() uintptr {
	if q == nil || q.closed.Load() {
		return ^uintptr(0)
	}
	return uintptr(q.fd)
}

// SyscallConn returns a raw connection to the descriptor, as os.File's does:
// Read and Write wait on the runtime poller for the queue to become
// non-empty or non-full.
func (q *MqFile) SyscallConn() (syscall.RawConn, error) {
	if err := q.checkValid("syscallconn"); err != nil {
		return nil, err
	}
	return q.rc, nil
}

// checkValid returns the error for a method called on a nil or closed
// handle.
func (q *MqFile) checkValid(op string) error {
	if q == nil {
		return kind.NilHandle(op)
	}
	return kind.IfClosed(op, q.name, q.closed.Load())
}

// control runs f with the descriptor, which stays open meanwhile.
func (q *MqFile) control(op string, f func(fd int) error) error {
	if err := q.checkValid(op); err != nil {
		return err
	}
	var ferr error
	if err := q.rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return &fs.PathError{Op: op, Path: q.name, Err: fs.ErrClosed}
	}
	if ferr != nil {
		return pathError(op, q.name, ferr)
	}
	return nil
}

// Close closes the handle (mq_close). Goroutines waiting in Read, Write,
// Send or Receive on it return fs.ErrClosed, unless the kernel hands one of
// them its message first (a goroutine sleeping in the kernel, see Receive):
// then that call succeeds. Close returns once none of them is still inside
// the kernel, at most mqSleepBound (5 ms) later. A message held back by a
// short Read is discarded: the only way a received message is ever lost.
// Closing any descriptor of a queue also cancels this process's
// notification registration on that queue (a kernel rule). A second Close
// returns fs.ErrClosed.
func (q *MqFile) Close() error {
	if q == nil {
		return &fs.PathError{Op: "close", Path: "", Err: fs.ErrInvalid}
	}
	if !q.closed.CompareAndSwap(false, true) {
		return &fs.PathError{Op: "close", Path: q.name, Err: fs.ErrClosed}
	}
	mqHandles.remove(q)
	// The os.File's Close wakes the goroutines parked on the poller and
	// waits until no RawConn callback runs: every use of the blocking
	// descriptor is inside one, so it can be closed after.
	err := q.file.Close()
	q.sleep.close()
	if err != nil {
		return pathError("close", q.name, err)
	}
	return nil
}

// Attr returns the queue's attributes (mq_getattr; posix_ipc's
// max_messages, max_message_size and current_messages). CurMessages counts
// a message this handle holds back after a short Read. Nonblocking is the
// handle's mode.
func (q *MqFile) Attr() (MqAttr, error) {
	var a MqAttr
	err := q.control("attr", func(fd int) (err error) {
		a, err = mqGetAttr(fd)
		return err
	})
	if err != nil {
		return MqAttr{}, err
	}
	q.rmu.Lock()
	if q.pending {
		a.CurMessages++
	}
	q.rmu.Unlock()
	a.Nonblocking = q.nonblock.Load()
	return a, nil
}

// SetNonblocking switches the handle between blocking and non-blocking mode
// (posix_ipc's block = not nonblocking). In non-blocking mode a send to a
// full queue and a receive from an empty one fail at once with ErrWouldBlock.
// Only this handle changes; the kernel descriptor stays non-blocking.
func (q *MqFile) SetNonblocking(nonblocking bool) error {
	if err := q.checkValid("setnonblocking"); err != nil {
		return err
	}
	q.nonblock.Store(nonblocking)
	return nil
}

// SetPriority sets the priority Write and ReadFrom send at, 0 to
// MqPriorityMax (fs.ErrInvalid above).
func (q *MqFile) SetPriority(prio uint) error {
	if err := q.checkValid("setpriority"); err != nil {
		return err
	}
	if prio > MqPriorityMax {
		return &fs.PathError{Op: "setpriority", Path: q.name, Err: kind.PriorityTooHigh(prio, MqPriorityMax)}
	}
	q.prio.Store(uint32(prio))
	return nil
}

// SetDeadline sets the read and write deadlines, as os.File's SetDeadline
// does: waits in Read, Receive, Write and Send that pass it fail with
// os.ErrDeadlineExceeded, having received or sent nothing. The zero time
// means no deadline.
func (q *MqFile) SetDeadline(t time.Time) error {
	if err := q.SetReadDeadline(t); err != nil {
		return err
	}
	return q.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for Read and Receive. A goroutine
// sleeping in the kernel sees a new deadline within mqSleepBound (see
// Receive).
func (q *MqFile) SetReadDeadline(t time.Time) error {
	return q.setDeadline("setreaddeadline", false, t)
}

// SetWriteDeadline sets the deadline for Write, Send and ReadFrom.
func (q *MqFile) SetWriteDeadline(t time.Time) error {
	return q.setDeadline("setwritedeadline", true, t)
}

func (q *MqFile) setDeadline(op string, write bool, t time.Time) error {
	if err := q.checkValid(op); err != nil {
		return err
	}
	side := &q.rd
	if write {
		side = &q.wr
	}
	if err := side.setUser(t); err != nil {
		if q.closed.Load() { // Close ran meanwhile: the os.File says "use of closed file"
			err = fs.ErrClosed
		}
		return pathError(op, q.name, err)
	}
	return nil
}

// Stat returns the queue's FileInfo, as the namespace's Stat does: a
// regular file (as /dev/mqueue/NAME is) with the queue's permission bits,
// Size the length of its status text (what opening it to look, with fs.FS's
// Open, reads; see MqInfo.Status), and Sys() an MqInfo with the attributes,
// the bytes queued (the kernel's QSIZE; -1 on a write-only handle, which
// cannot read it) and the raw *syscall.Stat_t. A message this handle holds
// back after a short Read is counted.
func (q *MqFile) Stat() (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := q.control("stat", func(fd int) error {
		st, err := mq.Fstat(fd)
		if err != nil {
			return err
		}
		a, err := mqGetAttr(fd)
		if err != nil {
			return err
		}
		size, err := mq.Qsize(fd)
		if err != nil {
			size = -1
		}
		q.rmu.Lock()
		if q.pending {
			a.CurMessages++
			if size >= 0 {
				size += int64(q.pendN)
			}
		}
		q.rmu.Unlock()
		a.Nonblocking = q.nonblock.Load()
		fi = mqInfo(path.Base(q.name), size, st, a)
		return nil
	})
	return fi, err
}

// mqInfo returns the FileInfo of the queue n with attributes a holding
// bytes bytes (-1: unknown).
func mqInfo(n string, bytes int64, st mq.Stat, a MqAttr) fs.FileInfo {
	return kind.Mq.StatusInfo(n, st.Perm, st.ModTime, MqInfo{Attr: a, Bytes: bytes, Stat: st.Sys})
}

// statMq returns the FileInfo of queue name for the namespace's Stat. It
// needs no mount: the stat, the attributes and the bytes queued come from a
// descriptor of the queue (mqByName): one of this process's open handles
// when there is one (preferring one that can read the bytes queued) —
// opening and closing another descriptor would cancel this process's
// notification registration on the queue — or else one opened for the
// call (read-only, else write-only; nothing is received). Opening a queue
// needs read or write permission on it; when both are refused and
// /dev/mqueue is this IPC namespace's mqueue file system, the stat comes
// from there instead, with zero attributes and unknown bytes, as a listing
// needs no permission on the queue.
func statMq(name string) (fs.FileInfo, error) {
	return statMqVia(name, func() bool { return mqueueMount() == nil })
}

// statMqListed is statMq for ReadDir("mq"), which has already checked the
// mount.
func statMqListed(name string) (fs.FileInfo, error) {
	return statMqVia(name, func() bool { return true })
}

func statMqVia(name string, mounted func() bool) (fs.FileInfo, error) {
	n, err := kind.Mq.Clean(name)
	if err != nil {
		return nil, err
	}
	if !MqSupported {
		return nil, mqUnsupported()
	}
	var fi fs.FileInfo
	err = mqByName(n, func(fd int, st mq.Stat) bool {
		a, _ := mqGetAttr(fd)
		size, err := mq.Qsize(fd)
		if err != nil {
			size = -1 // a write-only descriptor cannot read QSIZE: try another
		}
		fi = mqInfo(n, size, st, a)
		return err == nil
	})
	if fi != nil {
		return fi, nil
	}
	if err != syscall.EACCES || !mounted() {
		return nil, err
	}
	st, lerr := mq.Lstat(kind.Mq.HostPath(n))
	if lerr != nil {
		return nil, err
	}
	if !st.Regular {
		return nil, syscall.ENOENT
	}
	return mqInfo(n, -1, st, MqAttr{}), nil
}

// chmodMq, chownMq and chtimesMq change the queue name through a
// descriptor (mqByName), so they need no mount. When opening it is refused
// (EACCES) and /dev/mqueue is this namespace's mqueue file system, they
// change it there, as the owner may without read or write permission.
func chmodMq(n string, mode fs.FileMode) error {
	return changeMq(n, func(fd int) error { return mq.Fchmod(fd, mode) },
		func(p string) error { return sys.Chmod(p, mode) })
}

func chownMq(n string, uid, gid int) error {
	return changeMq(n, func(fd int) error { return mq.Fchown(fd, uid, gid) },
		func(p string) error { return sys.Chown(p, uid, gid) })
}

func chtimesMq(n string, atime, mtime time.Time) error {
	return changeMq(n, func(fd int) error { return mq.Futimens(fd, atime, mtime) },
		func(p string) error { return sys.Chtimes(p, atime, mtime) })
}

func changeMq(n string, change func(fd int) error, viaMount func(hostPath string) error) error {
	if !MqSupported {
		return mqUnsupported()
	}
	var cerr error
	err := mqByName(n, func(fd int, _ mq.Stat) bool {
		cerr = change(fd)
		return true
	})
	if err == nil {
		return cerr
	}
	if err == syscall.EACCES && mqueueMount() == nil {
		return viaMount(kind.Mq.HostPath(n))
	}
	return err
}

// mqByName calls use with a descriptor of the queue named n (clean) and
// its fstat, until use returns true. It offers the descriptors of this
// process's open handles that still bear the name (st_nlink >= 1: a queue
// unlinked and created again under the name is another queue) and, when
// there is none, a descriptor opened for the call (read-only, else
// write-only; mq_open needs read or write permission) and closed again.
// Handles come first because closing any descriptor of a queue cancels
// this process's notification registration on it, and a process with a
// registration always has an open handle. The registry stays locked
// throughout, so no handle of this process can be opened and register a
// notification before that close. The error is the one from opening the
// queue (ENOENT, EACCES, ...), or nil once use was called.
func mqByName(n string, use func(fd int, st mq.Stat) bool) error {
	mqHandles.mu.Lock()
	defer mqHandles.mu.Unlock()
	called := false
	for _, q := range mqHandles.m[n] {
		done := false
		q.rc.Control(func(fd uintptr) {
			if st, err := mq.Fstat(int(fd)); err == nil && st.Linked {
				called, done = true, use(int(fd), st)
			}
		})
		if done {
			return nil
		}
	}
	if called {
		return nil
	}
	fd, _, err := mqOpen(n, os.O_RDONLY, 0, nil)
	if err == syscall.EACCES {
		fd, _, err = mqOpen(n, os.O_WRONLY, 0, nil)
	}
	if err != nil {
		return err
	}
	defer mq.Close(fd)
	st, err := mq.Fstat(fd)
	if err != nil {
		return err
	}
	use(fd, st)
	return nil
}

// mqueueMount returns nil when /dev/mqueue is this IPC namespace's mqueue
// file system, which ReadDir("mq") needs. It returns ErrMqueueNotMounted
// when no mqueue file system is mounted there, or when the one mounted
// there is another IPC namespace's (after unshare --ipc the mount still
// shows the queues of the namespace that mounted it): the mount's device
// differs from that of this namespace's queues.
func mqueueMount() error {
	dev, ok := mq.MountDev()
	if !ok {
		return ErrMqueueNotMounted
	}
	own, err := mqNamespaceDev()
	if err != nil {
		return fmt.Errorf("cannot tell whether the mqueue file system at /dev/mqueue is this IPC namespace's: %w", err)
	}
	if dev != own {
		return errMqueueForeign
	}
	return nil
}

// mqNamespaceDev returns the device of this IPC namespace's mqueue file
// system: that of an open handle's queue or, when this process has none,
// of a queue created for the purpose (the smallest possible) and removed
// at once.
func mqNamespaceDev() (uint64, error) {
	mqHandles.mu.Lock()
	for _, list := range mqHandles.m {
		for _, q := range list {
			var dev uint64
			var ok bool
			q.rc.Control(func(fd uintptr) {
				st, err := mq.Fstat(int(fd))
				dev, ok = st.Key.Dev, err == nil
			})
			if ok {
				mqHandles.mu.Unlock()
				return dev, nil
			}
		}
	}
	mqHandles.mu.Unlock()
	probe := &MqAttr{MaxMessages: 1, MessageSize: 1}
	for range 100 {
		n := fmt.Sprintf("ipcfs-probe-%d-%s", os.Getpid(), kind.RandomName(12))
		fd, _, err := mqOpen(n, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600, probe)
		if err == syscall.EEXIST {
			continue
		}
		if err != nil {
			if errno, ok := err.(sys.Errno); ok {
				err = mqExplainOpen(errno, true, probe)
			}
			return 0, fmt.Errorf("creating a probe queue: %w", err)
		}
		mq.Unlink(n)
		st, err := mq.Fstat(fd)
		mq.Close(fd)
		return st.Key.Dev, err
	}
	return 0, syscall.EEXIST
}

// mqHandles tracks this process's open handles by queue name, for mqByName
// and mqNamespaceDev.
var mqHandles = &mqHandleSet{m: map[string][]*MqFile{}}

type mqHandleSet struct {
	mu sync.Mutex
	m  map[string][]*MqFile // by name without the slash
}

func (s *mqHandleSet) add(q *MqFile) {
	s.mu.Lock()
	s.m[q.posix] = append(s.m[q.posix], q)
	s.mu.Unlock()
}

func (s *mqHandleSet) remove(q *MqFile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.m[q.posix]
	for i, h := range list {
		if h == q {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.m, q.posix)
	} else {
		s.m[q.posix] = list
	}
}
