package mq

import (
	"io/fs"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/sys"
	"golang.org/x/sys/unix"
)

// Sigevent is struct sigevent as mq_notify reads it (64 bytes): the union
// sigval at 0, sigev_signo at 8, sigev_notify at 12, and 48 bytes the kernel
// ignores for mq_notify.
type Sigevent struct {
	// Value is sigev_value; for SIGEV_THREAD the kernel reads it as the
	// address of a CookieLen-byte cookie (kept a pointer so the garbage
	// collector and stack copier see it).
	Value  unsafe.Pointer
	Signo  int32 // signal number, or the netlink socket for SIGEV_THREAD
	Notify int32 // SigevSignal, SigevNone or SigevThread
	_      [48]byte
}

// sigev_notify values (include/uapi/asm-generic/siginfo.h).
const (
	SigevSignal = 0
	SigevNone   = 1
	SigevThread = 2
)

// mqueueMagic is the mqueue file system's statfs magic number.
const mqueueMagic = 0x19800202

// errno returns e as an error, nil for 0.
func errno(e unix.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

// cname returns "/"+name+"\x00": the kernel is given the address of byte 1,
// exactly as glibc's mq_open does (qemu-user reads the byte before it).
func cname(name string) ([]byte, error) {
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return nil, syscall.EINVAL
		}
	}
	b := make([]byte, len(name)+2)
	b[0] = '/'
	copy(b[1:], name)
	return b, nil
}

// Open is mq_open(2). name is the queue name without its leading slash.
// attr is read by the kernel only when flag has O_CREAT (nil: defaults).
func Open(name string, flag int, mode uint32, attr *Attr) (fd int, err error) {
	b, err := cname(name)
	if err != nil {
		return -1, err
	}
	err = sys.Retry(func() error {
		r, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(&b[1])), uintptr(flag),
			uintptr(mode), uintptr(unsafe.Pointer(attr)), 0, 0)
		fd = int(r)
		return errno(e)
	})
	if err != nil {
		return -1, err
	}
	return fd, nil
}

// Unlink is mq_unlink(2). name is the queue name without its leading slash.
func Unlink(name string) error {
	b, err := cname(name)
	if err != nil {
		return err
	}
	return sys.Retry(func() error {
		_, _, e := unix.Syscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(&b[1])), 0, 0)
		return errno(e)
	})
}

// Close closes the queue descriptor fd (mq_close is close(2)).
func Close(fd int) error { return unix.Close(fd) }

// TimedSend is mq_timedsend(2). abs is an absolute CLOCK_REALTIME deadline;
// nil waits forever (or fails with EAGAIN on a non-blocking descriptor).
func TimedSend(fd int, msg []byte, prio uint, abs *unix.Timespec) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	return sys.Retry(func() error {
		_, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, uintptr(fd), uintptr(p), uintptr(len(msg)),
			uintptr(prio), uintptr(unsafe.Pointer(abs)), 0)
		return errno(e)
	})
}

// TimedReceive is mq_timedreceive(2): it returns the message's length and
// priority. buf must hold the queue's message size (EMSGSIZE otherwise).
func TimedReceive(fd int, buf []byte, abs *unix.Timespec) (n int, prio uint, err error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	var pr uint32
	err = sys.Retry(func() error {
		r, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(fd), uintptr(p), uintptr(len(buf)),
			uintptr(unsafe.Pointer(&pr)), uintptr(unsafe.Pointer(abs)), 0)
		n = int(r)
		return errno(e)
	})
	if err != nil {
		return 0, 0, err
	}
	return n, uint(pr), nil
}

// pastDeadline is an absolute timeout that has always passed: with it
// mq_timedsend and mq_timedreceive never sleep, whatever the descriptor's
// O_NONBLOCK flag says (they fail with ETIMEDOUT instead of waiting).
var pastDeadline = unix.Timespec{}

// TrySend is mq_timedsend(2) that never sleeps, made without telling the
// Go scheduler (RawSyscall): full queue gives EAGAIN.
func TrySend(fd int, msg []byte, prio uint) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	return sys.Retry(func() error {
		_, _, e := unix.RawSyscall6(unix.SYS_MQ_TIMEDSEND, uintptr(fd), uintptr(p), uintptr(len(msg)),
			uintptr(prio), uintptr(unsafe.Pointer(&pastDeadline)), 0)
		if e == unix.ETIMEDOUT {
			return unix.EAGAIN
		}
		return errno(e)
	})
}

// TryReceive is mq_timedreceive(2) that never sleeps, made without telling
// the Go scheduler (RawSyscall): an empty queue gives EAGAIN.
func TryReceive(fd int, buf []byte) (n int, prio uint, err error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	var pr uint32
	err = sys.Retry(func() error {
		r, _, e := unix.RawSyscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(fd), uintptr(p), uintptr(len(buf)),
			uintptr(unsafe.Pointer(&pr)), uintptr(unsafe.Pointer(&pastDeadline)), 0)
		n = int(r)
		if e == unix.ETIMEDOUT {
			return unix.EAGAIN
		}
		return errno(e)
	})
	if err != nil {
		return 0, 0, err
	}
	return n, uint(pr), nil
}

// ReceiveBy is mq_timedreceive(2) on a blocking descriptor (one opened
// without O_NONBLOCK, see Reopen): it sleeps in the kernel, holding the
// calling thread, until a message comes or the absolute CLOCK_REALTIME time
// deadline (nanoseconds since the epoch) passes, which gives EAGAIN. It is
// made through Syscall6, so the Go scheduler can hand the thread's P to
// another thread meanwhile.
func ReceiveBy(fd int, buf []byte, deadline int64) (n int, prio uint, err error) {
	ts := unix.NsecToTimespec(deadline)
	n, prio, err = TimedReceive(fd, buf, &ts)
	if err == unix.ETIMEDOUT {
		err = unix.EAGAIN
	}
	return n, prio, err
}

// SendBy is mq_timedsend(2) on a blocking descriptor: it sleeps in the
// kernel while the queue is full, until the absolute CLOCK_REALTIME time
// deadline (nanoseconds since the epoch), which gives EAGAIN. See
// ReceiveBy.
func SendBy(fd int, msg []byte, prio uint, deadline int64) error {
	ts := unix.NsecToTimespec(deadline)
	err := TimedSend(fd, msg, prio, &ts)
	if err == unix.ETIMEDOUT {
		err = unix.EAGAIN
	}
	return err
}

// Reopen opens the queue of descriptor fd again, as a new open file
// description with its own flags (no O_NONBLOCK), through /proc/self/fd.
// acc is the access mode (O_RDONLY, O_WRONLY or O_RDWR); the kernel checks
// the queue's permissions again. The new descriptor is close-on-exec.
func Reopen(fd, acc int) (int, error) {
	var nfd int
	err := sys.Retry(func() (err error) {
		nfd, err = unix.Open("/proc/self/fd/"+strconv.Itoa(fd), acc&unix.O_ACCMODE|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		return err
	})
	if err != nil {
		return -1, err
	}
	return nfd, nil
}

// GetSetAttr is mq_getsetattr(2): new (may be nil) sets the O_NONBLOCK flag,
// old (may be nil) receives the attributes.
func GetSetAttr(fd int, new, old *Attr) error {
	return sys.Retry(func() error {
		_, _, e := unix.Syscall(unix.SYS_MQ_GETSETATTR, uintptr(fd), uintptr(unsafe.Pointer(new)),
			uintptr(unsafe.Pointer(old)))
		return errno(e)
	})
}

// GetAttr returns the attributes of the queue fd (mq_getattr).
func GetAttr(fd int) (Attr, error) {
	var a Attr
	err := GetSetAttr(fd, nil, &a)
	return a, err
}

// Notify is mq_notify(2); a nil sev removes the calling process's
// registration.
func Notify(fd int, sev *Sigevent) error {
	return sys.Retry(func() error {
		_, _, e := unix.Syscall(unix.SYS_MQ_NOTIFY, uintptr(fd), uintptr(unsafe.Pointer(sev)), 0)
		return errno(e)
	})
}

// NotifySignal registers for SIGEV_SIGNAL delivery of signo.
func NotifySignal(fd, signo int) error {
	return Notify(fd, &Sigevent{Signo: int32(signo), Notify: SigevSignal})
}

// NotifyThread registers for SIGEV_THREAD delivery, as glibc does it: the
// kernel copies cookie now and later sends it, its last byte set to
// NotifyWokenUp or NotifyRemoved, to the netlink socket sock.
func NotifyThread(fd, sock int, cookie *[CookieLen]byte) error {
	return Notify(fd, &Sigevent{Value: unsafe.Pointer(cookie), Signo: int32(sock), Notify: SigevThread})
}

// NotifyCancel removes this process's registration (mq_notify(NULL)).
func NotifyCancel(fd int) error { return Notify(fd, nil) }

// NetlinkSocket opens the unbound, non-blocking netlink socket the kernel
// sends SIGEV_THREAD cookies to (as glibc does: NETLINK_ROUTE).
func NetlinkSocket() (int, error) {
	return unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
}

// Read is read(2) on fd (the netlink socket of NotifyThread).
func Read(fd int, buf []byte) (n int, err error) {
	err = sys.Retry(func() (err error) {
		n, err = unix.Read(fd, buf)
		return err
	})
	return n, err
}

// Qsize returns the QSIZE field of the queue's status line (pread at
// offset 0; the descriptor must be open for reading).
func Qsize(fd int) (int64, error) {
	var buf [128]byte
	var n int
	err := sys.Retry(func() (err error) {
		n, err = unix.Pread(fd, buf[:], 0)
		return err
	})
	if err != nil {
		return 0, err
	}
	return ParseQsize(buf[:n])
}

func toStat(st *syscall.Stat_t) Stat {
	return Stat{
		Key:     Key{uint64(st.Dev), st.Ino},
		Perm:    fsPerm(st.Mode),
		ModTime: time.Unix(st.Mtim.Unix()),
		Regular: st.Mode&syscall.S_IFMT == syscall.S_IFREG,
		Linked:  st.Nlink >= 1,
		Sys:     st,
	}
}

// Fstat stats the queue descriptor fd.
func Fstat(fd int) (Stat, error) {
	st := new(syscall.Stat_t)
	if err := sys.Retry(func() error { return syscall.Fstat(fd, st) }); err != nil {
		return Stat{}, err
	}
	return toStat(st), nil
}

// Lstat stats path (a file under the mqueue file system) without following
// a symlink.
func Lstat(path string) (Stat, error) {
	st := new(syscall.Stat_t)
	if err := sys.Retry(func() error { return syscall.Lstat(path, st) }); err != nil {
		return Stat{}, err
	}
	return toStat(st), nil
}

// Fchmod, Fchown and Futimens change the queue open as fd: a queue
// descriptor is a descriptor of the queue's mqueue inode (linux-ipc.md
// §12), so no mount is needed.
func Fchmod(fd int, mode fs.FileMode) error {
	return sys.Retry(func() error { return unix.Fchmod(fd, uint32(mode.Perm())) })
}

// Fchown is fchown(2) on the queue fd (-1 leaves the owner or group).
func Fchown(fd, uid, gid int) error {
	return sys.Retry(func() error { return unix.Fchown(fd, uid, gid) })
}

// Futimens is futimens(3) on the queue fd: utimensat with a NULL path, as
// glibc makes it.
func Futimens(fd int, atime, mtime time.Time) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return sys.Retry(func() error {
		_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		return errno(e)
	})
}

// MountDev returns the device of the mqueue file system mounted at
// /dev/mqueue, and ok false when none is (it may be another IPC
// namespace's: compare with a queue descriptor's Fstat Key.Dev).
func MountDev() (dev uint64, ok bool) {
	var sfs unix.Statfs_t
	if sys.Retry(func() error { return unix.Statfs("/dev/mqueue", &sfs) }) != nil || sfs.Type != mqueueMagic {
		return 0, false
	}
	var st unix.Stat_t
	if sys.Retry(func() error { return unix.Stat("/dev/mqueue", &st) }) != nil {
		return 0, false
	}
	return uint64(st.Dev), true
}

// Rlimit returns the soft RLIMIT_MSGQUEUE: the bytes all queues created by
// this user may take together.
func Rlimit() (uint64, error) {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MSGQUEUE, &r); err != nil {
		return 0, err
	}
	return r.Cur, nil
}
