package ipcfs

// Names that moved: the plumbing for namespace implementations is in
// package backend. They stay here, deprecated, so code written against
// them keeps compiling.

import (
	"io/fs"
	"os"
	"time"

	"github.com/ipcfs/ipcfs/backend"
)

// CleanName validates a POSIX name for kind dir ("shm", "mq" or "sem") and
// returns it without its leading slash.
//
// Deprecated: Use backend.CleanName.
func CleanName(dir, name string) (string, error) { return backend.CleanName(dir, name) }

// SplitPath parses a namespace path into its directory and object name.
//
// Deprecated: Use backend.SplitPath.
func SplitPath(op, p string) (dir, name string, err error) { return backend.SplitPath(op, p) }

// NewFileInfo returns an fs.FileInfo with the given fields.
//
// Deprecated: Use backend.NewFileInfo.
func NewFileInfo(name string, size int64, mode fs.FileMode, modTime time.Time, sys any) fs.FileInfo {
	return backend.NewFileInfo(name, size, mode, modTime, sys)
}

// DirInfo returns the FileInfo of a namespace directory.
//
// Deprecated: Use backend.DirInfo.
func DirInfo(name, dir string) fs.FileInfo { return backend.DirInfo(name, dir) }

// CreateTemp creates a new object in the directory dir ("shm", "mq" or
// "sem") of ns with a random name made from pattern, as os.CreateTemp does,
// opened read-write with mode 0600 through ns.OpenFile with
// os.O_CREATE|os.O_EXCL (so with the kind's defaults: no size, queue
// attributes or value).
//
// Deprecated: Use the namespace's CreateTemp method, which takes
// TempOptions; a Namespace implementation builds its own on
// backend.CreateTemp.
func CreateTemp(ns Namespace, dir, pattern string) (File, error) {
	if ns == nil {
		return nil, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrInvalid}
	}
	return backend.CreateTemp(dir, pattern, func(p string) (File, error) {
		return ns.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	})
}

// DirFile is an open namespace directory.
//
// Deprecated: Use backend.DirFile.
type DirFile = backend.DirFile

// NewDirFile returns an open directory at path with the given entries.
//
// Deprecated: Use backend.NewDirFile.
func NewDirFile(path string, info fs.FileInfo, entries []fs.DirEntry) *DirFile {
	return backend.NewDirFile(path, info, entries)
}

// The names of one vocabulary per kind (Shm, Mq, Sem) replaced these.

// SharedMemory is Shm.
//
// Deprecated: Use Shm.
type SharedMemory = Shm

// MessageQueue is Mq.
//
// Deprecated: Use Mq.
type MessageQueue = Mq

// Semaphore is Sem.
//
// Deprecated: Use Sem.
type Semaphore = Sem

// Deprecated names of constants.
const (
	// Deprecated: Use MqPriorityMax.
	QueuePriorityMax = MqPriorityMax
	// Deprecated: Use MqSupported.
	MessageQueuesSupported = MqSupported
	// Deprecated: Use SemTimeoutSupported.
	SemaphoreTimeoutSupported = SemTimeoutSupported
	// Deprecated: Use SemValueSupported.
	SemaphoreValueSupported = SemValueSupported
	// Deprecated: Use MqSignalMin.
	SignalMin = MqSignalMin
	// Deprecated: Use MqSignalMax.
	SignalMax = MqSignalMax
)

// ErrSegmentShrunk is ErrShmShrunk.
//
// Deprecated: Use ErrShmShrunk.
var ErrSegmentShrunk = ErrShmShrunk

// QueueLimits reads the host's message queue limits.
//
// Deprecated: Use ReadMqLimits.
func QueueLimits() (MqLimits, error) { return ReadMqLimits() }

// QueueMessagesMaxDefault returns posix_ipc's QUEUE_MESSAGES_MAX_DEFAULT.
//
// Deprecated: Use MqMaxMessagesDefault.
func QueueMessagesMaxDefault() int64 { return MqMaxMessagesDefault() }

// QueueMessageSizeMaxDefault returns posix_ipc's
// QUEUE_MESSAGE_SIZE_MAX_DEFAULT.
//
// Deprecated: Use MqMessageSizeDefault.
func QueueMessageSizeMaxDefault() int64 { return MqMessageSizeDefault() }

// QueueCost returns the bytes a queue with the given capacity and message
// size is charged against its creator's RLIMIT_MSGQUEUE on 64-bit Linux.
//
// Deprecated: MqLimits.BytesLimit documents the cost; the error of a queue
// beyond it states it.
func QueueCost(maxMessages, messageSize int64) int64 { return mqCost(maxMessages, messageSize) }
