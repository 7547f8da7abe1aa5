//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

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
	ka, err := toKernel(attr)
	if err != nil {
		return -1, err
	}
	err = sys.Retry(func() error {
		r, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(&b[1])), uintptr(flag),
			uintptr(mode), uintptr(unsafe.Pointer(ka)), 0, 0)
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
// (unix.Timespec has 32-bit seconds on 32-bit machines; TimedSendUntil
// takes any deadline.)
func TimedSend(fd int, msg []byte, prio uint, abs *unix.Timespec) error {
	if abs == nil {
		return timedSend(fd, msg, prio, nil, false)
	}
	ts := Timespec{Sec: int64(abs.Sec), Nsec: int64(abs.Nsec)}
	return timedSend(fd, msg, prio, &ts, false)
}

// TimedSendUntil is mq_timedsend(2) with the absolute CLOCK_REALTIME
// deadline abs, in the kernel's 64-bit form on every architecture.
func TimedSendUntil(fd int, msg []byte, prio uint, abs *Timespec) error {
	return timedSend(fd, msg, prio, abs, false)
}

// TimedReceive is mq_timedreceive(2): it returns the message's length and
// priority. buf must hold the queue's message size (EMSGSIZE otherwise).
// (unix.Timespec has 32-bit seconds on 32-bit machines;
// TimedReceiveUntil takes any deadline.)
func TimedReceive(fd int, buf []byte, abs *unix.Timespec) (n int, prio uint, err error) {
	if abs == nil {
		return timedReceive(fd, buf, nil, false)
	}
	ts := Timespec{Sec: int64(abs.Sec), Nsec: int64(abs.Nsec)}
	return timedReceive(fd, buf, &ts, false)
}

// TimedReceiveUntil is mq_timedreceive(2) with the absolute CLOCK_REALTIME
// deadline abs, in the kernel's 64-bit form on every architecture.
func TimedReceiveUntil(fd int, buf []byte, abs *Timespec) (n int, prio uint, err error) {
	return timedReceive(fd, buf, abs, false)
}

// TrySend is mq_timedsend(2) that never sleeps, made without telling the
// Go scheduler (RawSyscall): full queue gives EAGAIN.
func TrySend(fd int, msg []byte, prio uint) error {
	err := timedSend(fd, msg, prio, &pastDeadline, true)
	if err == unix.ETIMEDOUT {
		return unix.EAGAIN
	}
	return err
}

// TryReceive is mq_timedreceive(2) that never sleeps, made without telling
// the Go scheduler (RawSyscall): an empty queue gives EAGAIN.
func TryReceive(fd int, buf []byte) (n int, prio uint, err error) {
	n, prio, err = timedReceive(fd, buf, &pastDeadline, true)
	if err == unix.ETIMEDOUT {
		return 0, 0, unix.EAGAIN
	}
	return n, prio, err
}

// timedSend is mq_timedsend(2) with the kernel's timespec, through
// RawSyscall when raw (a call that never sleeps).
func timedSend(fd int, msg []byte, prio uint, abs *Timespec, raw bool) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	return sys.Retry(func() error {
		_, e := timed(sysMqTimedsend, raw, fd, p, len(msg), prio, nil, abs)
		return errno(e)
	})
}

// timedReceive is mq_timedreceive(2) with the kernel's timespec, through
// RawSyscall when raw (a call that never sleeps).
func timedReceive(fd int, buf []byte, abs *Timespec, raw bool) (n int, prio uint, err error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	var pr uint32
	err = sys.Retry(func() error {
		r, e := timed(sysMqTimedreceive, raw, fd, p, len(buf), 0, &pr, abs)
		n = int(r)
		return errno(e)
	})
	if err != nil {
		return 0, 0, err
	}
	return n, uint(pr), nil
}

// syscall6 makes the system call trap, mq_timedsend or mq_timedreceive or
// their _time64 twins, through RawSyscall6 when raw: on descriptor fd, the
// n bytes at buf, the priority prio to send or prioOut to receive one
// (non-nil for a receive), and the timeout ts. It takes pointers as
// pointers and converts them in the system call's own argument list, the
// only place where the compiler keeps what they point to alive and in
// place (unsafe.Pointer's rule 4): a uintptr passed through a Go function
// can point into a stack that has since moved, and the kernel then writes
// the priority into garbage (seen under qemu-riscv64 in FuzzMqPayload).
func syscall6(trap uintptr, raw bool, fd int, buf unsafe.Pointer, n int, prio uint, prioOut *uint32, ts unsafe.Pointer) (r uintptr, e unix.Errno) {
	switch {
	case prioOut != nil && raw:
		r, _, e = unix.RawSyscall6(trap, uintptr(fd), uintptr(buf), uintptr(n), uintptr(unsafe.Pointer(prioOut)), uintptr(ts), 0)
	case prioOut != nil:
		r, _, e = unix.Syscall6(trap, uintptr(fd), uintptr(buf), uintptr(n), uintptr(unsafe.Pointer(prioOut)), uintptr(ts), 0)
	case raw:
		r, _, e = unix.RawSyscall6(trap, uintptr(fd), uintptr(buf), uintptr(n), uintptr(prio), uintptr(ts), 0)
	default:
		r, _, e = unix.Syscall6(trap, uintptr(fd), uintptr(buf), uintptr(n), uintptr(prio), uintptr(ts), 0)
	}
	return r, e
}

// ReceiveBy is mq_timedreceive(2) on a blocking descriptor (one opened
// without O_NONBLOCK, see Reopen): it sleeps in the kernel, holding the
// calling thread, until a message comes or the absolute CLOCK_REALTIME time
// deadline (nanoseconds since the epoch) passes, which gives EAGAIN. It is
// made through Syscall6, so the Go scheduler can hand the thread's P to
// another thread meanwhile.
func ReceiveBy(fd int, buf []byte, deadline int64) (n int, prio uint, err error) {
	ts := Timespec{Sec: deadline / 1e9, Nsec: deadline % 1e9}
	n, prio, err = TimedReceiveUntil(fd, buf, &ts)
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
	ts := Timespec{Sec: deadline / 1e9, Nsec: deadline % 1e9}
	err := TimedSendUntil(fd, msg, prio, &ts)
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
	kn, err := toKernel(new)
	if err != nil {
		return err
	}
	var ko kattr
	err = sys.Retry(func() error {
		_, _, e := unix.Syscall(unix.SYS_MQ_GETSETATTR, uintptr(fd), uintptr(unsafe.Pointer(kn)),
			uintptr(unsafe.Pointer(&ko)))
		return errno(e)
	})
	if err == nil && old != nil {
		*old = fromKernel(&ko)
	}
	return err
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
