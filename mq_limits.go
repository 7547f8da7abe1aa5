package ipcfs

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// MqPriorityMax is the highest message priority (posix_ipc's
// QUEUE_PRIORITY_MAX, Linux's MQ_PRIO_MAX-1). Priorities run from 0, the
// lowest, to MqPriorityMax.
const MqPriorityMax = mq.PrioMax - 1

// MqSupported reports whether ipcfs supports POSIX message queues on this
// system (posix_ipc's MESSAGE_QUEUES_SUPPORTED): true on Linux.
const MqSupported = runtime.GOOS == "linux"

// MqSignalMin and MqSignalMax bound the real-time signals MqFile.NotifySignal
// takes (posix_ipc's USER_SIGNAL_MIN and USER_SIGNAL_MAX): 35 to 64.
// Signals 32 and 33 are reserved by glibc and 34 by the Go runtime
// (os/signal cannot receive them). NotifySignal also takes SIGUSR1 and
// SIGUSR2, and no other signal.
const (
	MqSignalMin = 35
	MqSignalMax = 64
)

// mqProcDir holds the kernel's message queue limits for the caller's IPC
// namespace.
const mqProcDir = "/proc/sys/fs/mqueue/"

// MqLimits holds the host's message queue limits, as read from
// /proc/sys/fs/mqueue and getrlimit(RLIMIT_MSGQUEUE) for the caller's IPC
// namespace and user, in MqAttr's words: MaxMessagesLimit bounds
// MqAttr.MaxMessages, DefaultMaxMessages is what a zero one becomes.
type MqLimits struct {
	// QueuesLimit is the number of queues the namespace may hold
	// (queues_max).
	QueuesLimit int64
	// MaxMessagesLimit is the largest MaxMessages an unprivileged creator
	// may ask for (msg_max).
	MaxMessagesLimit int64
	// MessageSizeLimit is the largest MessageSize an unprivileged creator
	// may ask for (msgsize_max).
	MessageSizeLimit int64
	// DefaultMaxMessages and DefaultMessageSize are what a queue created
	// without attributes gets (msg_default, msgsize_default; the kernel
	// lowers them to MaxMessagesLimit and MessageSizeLimit).
	DefaultMaxMessages int64
	DefaultMessageSize int64
	// BytesLimit is the soft RLIMIT_MSGQUEUE: the bytes all queues created
	// by this user may take together, each MaxMessages*MessageSize plus 96
	// bytes of kernel bookkeeping per message (64-bit Linux).
	BytesLimit uint64

	// Deprecated: Use QueuesLimit.
	QueuesMax int64
	// Deprecated: Use MaxMessagesLimit.
	MsgMax int64
	// Deprecated: Use MessageSizeLimit.
	MsgsizeMax int64
	// Deprecated: Use DefaultMaxMessages.
	MsgDefault int64
	// Deprecated: Use DefaultMessageSize.
	MsgsizeDefault int64
	// Deprecated: Use BytesLimit.
	RlimitMsgqueue uint64
}

// ReadMqLimits reads the host's current message queue limits. It fails with
// errors.ErrUnsupported where there are no POSIX message queues.
func ReadMqLimits() (MqLimits, error) {
	var l MqLimits
	var err error
	for _, f := range []struct {
		name string
		dst  *int64
	}{
		{"queues_max", &l.QueuesLimit},
		{"msg_max", &l.MaxMessagesLimit},
		{"msgsize_max", &l.MessageSizeLimit},
		{"msg_default", &l.DefaultMaxMessages},
		{"msgsize_default", &l.DefaultMessageSize},
	} {
		if *f.dst, err = mqReadProc(f.name); err != nil {
			return MqLimits{}, err
		}
	}
	l.BytesLimit, err = mq.Rlimit()
	if err != nil {
		return MqLimits{}, err
	}
	l.QueuesMax, l.MsgMax, l.MsgsizeMax = l.QueuesLimit, l.MaxMessagesLimit, l.MessageSizeLimit
	l.MsgDefault, l.MsgsizeDefault, l.RlimitMsgqueue = l.DefaultMaxMessages, l.DefaultMessageSize, l.BytesLimit
	return l, nil
}

// MqMaxMessagesDefault returns posix_ipc's QUEUE_MESSAGES_MAX_DEFAULT: the
// largest capacity an unprivileged creator may give a queue
// (/proc/sys/fs/mqueue/msg_max, read now), or 10 if it cannot be read.
func MqMaxMessagesDefault() int64 {
	if v, err := mqReadProc("msg_max"); err == nil {
		return v
	}
	return 10
}

// MqMessageSizeDefault returns posix_ipc's QUEUE_MESSAGE_SIZE_MAX_DEFAULT:
// 8192, lowered to /proc/sys/fs/mqueue/msgsize_max (read now) when that is
// smaller.
func MqMessageSizeDefault() int64 {
	if v, err := mqReadProc("msgsize_max"); err == nil && v < 8192 {
		return v
	}
	return 8192
}

// mqCost returns the bytes a queue with the given capacity and message
// size is charged against its creator's RLIMIT_MSGQUEUE on 64-bit Linux:
// maxMessages*messageSize plus 96 bytes of kernel bookkeeping per message.
func mqCost(maxMessages, messageSize int64) int64 { return mq.Cost(maxMessages, messageSize) }

// mqUnsupported is the error of queue operations where there are none.
func mqUnsupported() error { return errors.ErrUnsupported }

func mqReadProc(name string) (int64, error) {
	if !MqSupported {
		return 0, mqUnsupported()
	}
	b, err := os.ReadFile(mqProcDir + name)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// createAttr returns the capacity and message size of a queue created with
// attr (nil: none asked for): each field attr leaves at zero takes the
// system's default, lowered to its limit as the kernel does.
func (l MqLimits) createAttr(attr *MqAttr) (maxMsg, msgSize int64) {
	var a MqAttr
	if attr != nil {
		a = *attr
	}
	return kind.MqAttrOrDefault(a.MaxMessages, l.DefaultMaxMessages, l.MaxMessagesLimit),
		kind.MqAttrOrDefault(a.MessageSize, l.DefaultMessageSize, l.MessageSizeLimit)
}

// mqExplainOpen turns the errno of a failed mq_open into a limit error
// naming the limit, when one is the cause.
func mqExplainOpen(errno sys.Errno, create bool, attr *MqAttr) error {
	if errno == sys.EMFILE && sys.FdTableFull() {
		return nofileError(errno)
	}
	if !create {
		return errno
	}
	l, err := ReadMqLimits()
	if err != nil {
		return errno
	}
	maxMsg, msgSize := l.createAttr(attr)
	switch errno {
	case syscall.EINVAL:
		if maxMsg > l.MaxMessagesLimit {
			return kind.MqAttrTooLarge("max messages", maxMsg, l.MaxMessagesLimit, mqProcDir+"msg_max",
				kind.MqRaiseHint("msg_max", maxMsg, kind.MqHardMaxMessages))
		}
		if msgSize > l.MessageSizeLimit {
			return kind.MqAttrTooLarge("message size", msgSize, l.MessageSizeLimit, mqProcDir+"msgsize_max",
				kind.MqRaiseHint("msgsize_max", msgSize, kind.MqHardMessageSize))
		}
	case sys.ENOSPC:
		return kind.Limit(errno, "too many message queues: %squeues_max is %d (remove unused queues, or raise it as root: sysctl fs.mqueue.queues_max=N)",
			mqProcDir, l.QueuesLimit)
	case sys.EMFILE:
		return kind.Limit(errno, "RLIMIT_MSGQUEUE exhausted: a queue of %d x %d bytes costs %d bytes and this user's queues may take at most %d bytes in all (remove unused queues, create smaller ones, or raise the limit: ulimit -q / setrlimit(RLIMIT_MSGQUEUE))",
			maxMsg, msgSize, mqCost(maxMsg, msgSize), l.BytesLimit)
	}
	return errno
}
