package mq

import (
	"bytes"
	"io/fs"
	"strconv"
	"syscall"
	"time"
)

// Attr holds a queue's attributes, the fields of struct mq_attr as 64-bit
// numbers on every architecture. The wrappers convert it to and from the
// kernel's layout (kattr), whose fields are C longs: 32 bits on 32-bit
// machines, where a value that does not fit is refused with EINVAL.
type Attr struct {
	Flags   int64 // mq_flags: only O_NONBLOCK is meaningful
	Maxmsg  int64 // mq_maxmsg: capacity in messages
	Msgsize int64 // mq_msgsize: largest message in bytes
	Curmsgs int64 // mq_curmsgs: messages queued now
}

// mq_notify constants (include/uapi/linux/mqueue.h).
const (
	// CookieLen is the size of the SIGEV_THREAD cookie (NOTIFY_COOKIE_LEN).
	CookieLen = 32
	// NotifyWokenUp and NotifyRemoved are the values the kernel writes into
	// the cookie's last byte: the notification fired, or the registration
	// was removed.
	NotifyWokenUp = 1
	NotifyRemoved = 2

	// PrioMax is MQ_PRIO_MAX: valid priorities are 0..PrioMax-1.
	PrioMax = 32768
)

// Key identifies a queue on the host (the mqueue inode).
type Key struct{ Dev, Ino uint64 }

// Stat is what Fstat and Lstat report about a queue's file.
type Stat struct {
	Key     Key
	Perm    fs.FileMode // the permission bits
	ModTime time.Time
	Regular bool // a regular file: a queue (anything else under /dev/mqueue is not)
	Linked  bool // st_nlink >= 1: the queue still has its name
	Sys     any  // the raw *syscall.Stat_t
}

// ParseQsize parses the QSIZE field of the status line read(2) returns on
// a queue descriptor ("QSIZE:14         NOTIFY:0 ...").
func ParseQsize(line []byte) (int64, error) {
	rest, ok := bytes.CutPrefix(line, []byte("QSIZE:"))
	if !ok {
		return 0, syscall.EIO
	}
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		rest = rest[:i]
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
	if err != nil {
		return 0, syscall.EIO
	}
	return v, nil
}

// fsPerm returns the permission bits of a st_mode.
func fsPerm(mode uint32) fs.FileMode { return fs.FileMode(mode & 0o777) }
