package ipcfs

import (
	"io/fs"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/mq"
	"golang.org/x/sys/unix"
)

// Linux mechanics of message queues: the system calls behind MqFile, with
// EINTR retried. The descriptors are always O_NONBLOCK at the kernel level;
// blocking is done by the Go runtime poller (mqfile_io.go).

// mqKey identifies a queue on the host (the mqueue inode).
type mqKey struct{ dev, ino uint64 }

// mqSysOpen is mq_open with O_NONBLOCK added; it returns the descriptor and
// the queue's attributes.
func mqSysOpen(n string, flag int, perm fs.FileMode, attr *MqAttr) (int, MqAttr, error) {
	var ka *mq.Attr
	if flag&os.O_CREATE != 0 && attr != nil {
		ka = &mq.Attr{Maxmsg: attr.MaxMessages, Msgsize: attr.MessageSize}
		if ka.Maxmsg == 0 || ka.Msgsize == 0 {
			l, err := QueueLimits()
			if err != nil {
				return -1, MqAttr{}, err
			}
			ka.Maxmsg, ka.Msgsize = l.createAttr(attr)
		}
	}
	for {
		fd, err := mq.Open(n, flag|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(perm.Perm()), ka)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, MqAttr{}, err
		}
		a, err := mqSysGetAttr(fd)
		if err != nil {
			unix.Close(fd)
			return -1, MqAttr{}, err
		}
		return fd, a, nil
	}
}

func mqSysUnlink(n string) error {
	for {
		err := mq.Unlink(n)
		if err != unix.EINTR {
			return err
		}
	}
}

// mqSysSend sends without waiting (EAGAIN when full).
func mqSysSend(fd int, msg []byte, prio uint) error {
	for {
		err := mq.TrySend(fd, msg, prio)
		if err != unix.EINTR {
			return err
		}
	}
}

// mqSysReceive receives without waiting (EAGAIN when empty).
func mqSysReceive(fd int, buf []byte) (int, uint, error) {
	for {
		n, prio, err := mq.TryReceive(fd, buf)
		if err != unix.EINTR {
			return n, prio, err
		}
	}
}

func mqSysGetAttr(fd int) (MqAttr, error) {
	var a mq.Attr
	if err := mq.GetSetAttr(fd, nil, &a); err != nil {
		return MqAttr{}, err
	}
	return MqAttr{MaxMessages: a.Maxmsg, MessageSize: a.Msgsize, CurMessages: a.Curmsgs}, nil
}

// mqSysQsize reads the QSIZE field of the queue's status line (pread at
// offset 0; the descriptor must be open for reading).
func mqSysQsize(fd int) (int64, error) {
	var buf [128]byte
	var n int
	var err error
	for {
		n, err = unix.Pread(fd, buf[:], 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return 0, err
	}
	return mqParseQsize(buf[:n])
}

// mqFileStat is what statMq and Stat need from fstat/lstat.
type mqFileStat struct {
	key     mqKey
	perm    fs.FileMode
	modTime time.Time
	regular bool
	sys     *syscall.Stat_t
}

func mqToFileStat(st *syscall.Stat_t) mqFileStat {
	return mqFileStat{
		key:     mqKey{uint64(st.Dev), st.Ino},
		perm:    fs.FileMode(st.Mode & 0o777),
		modTime: time.Unix(st.Mtim.Unix()),
		regular: st.Mode&syscall.S_IFMT == syscall.S_IFREG,
		sys:     st,
	}
}

func mqSysFstat(fd int) (mqFileStat, error) {
	st := new(syscall.Stat_t)
	if err := syscall.Fstat(fd, st); err != nil {
		return mqFileStat{}, err
	}
	return mqToFileStat(st), nil
}

func mqSysLstat(path string) (mqFileStat, error) {
	st := new(syscall.Stat_t)
	for {
		err := syscall.Lstat(path, st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return mqFileStat{}, err
		}
		return mqToFileStat(st), nil
	}
}

func mqSysClose(fd int) { unix.Close(fd) }

// mqSysNotifySignal registers for SIGEV_SIGNAL delivery of signo.
func mqSysNotifySignal(fd int, signo int) error {
	sev := &mq.Sigevent{Signo: int32(signo), Notify: mq.SigevSignal}
	return mq.Notify(fd, sev)
}

// mqSysNotifyThread registers for SIGEV_THREAD delivery: the kernel copies
// cookie now and later sends it, last byte changed, to the netlink socket.
func mqSysNotifyThread(fd, sock int, cookie *[mqCookieLen]byte) error {
	sev := &mq.Sigevent{Value: unsafe.Pointer(cookie), Signo: int32(sock), Notify: mq.SigevThread}
	return mq.Notify(fd, sev)
}

func mqSysNotifyCancel(fd int) error { return mq.Notify(fd, nil) }

// mqSysNetlinkSocket opens the unbound, non-blocking netlink socket the
// kernel sends SIGEV_THREAD cookies to (as glibc does: NETLINK_ROUTE).
func mqSysNetlinkSocket() (int, error) {
	return unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
}

func mqSysRead(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if err != unix.EINTR {
			return n, err
		}
	}
}

func mqRlimit() (uint64, error) {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MSGQUEUE, &r); err != nil {
		return 0, err
	}
	return r.Cur, nil
}
