//go:build !plan9

package mount

// O_APPEND on segments. Shared memory has no O_APPEND of its own (POSIX
// shm_open does not take it), so the mount provides it: each Write on an
// O_APPEND file finds the segment's end and writes there as one step,
// under a lock that every O_APPEND file of the same segment in this process
// shares, whichever mount or namespace value opened it. Other processes do
// not take that lock: appends from two processes at once can overwrite
// each other, and coordinating them is the application's (a semaphore
// around each append, for example).

import (
	"reflect"
	"sync"

	"github.com/ipcfs/ipcfs"
)

// appendLock serialises the O_APPEND writes of this process to one segment.
type appendLock struct {
	sync.Mutex
	key  any
	refs int // O_APPEND files holding it; guarded by appendLocks.mu
}

// appendLocks holds the lock of every segment that has an O_APPEND file
// open, by segment identity.
var appendLocks = struct {
	mu    sync.Mutex
	locks map[any]*appendLock
}{locks: map[any]*appendLock{}}

// segmentKey identifies the segment of the open object f (opened as the
// clean name n of ns): the host file (device and inode) where its FileInfo
// has one, else the namespace and the name. A name removed and created
// again while an append is open shares the old segment's lock, which only
// serialises more than needed.
func segmentKey(ns ipcfs.Namespace, n string, f ipcfs.File) any {
	if fi, err := f.Stat(); err == nil {
		if id, ok := fileID(fi); ok {
			return id
		}
	}
	type nsName struct {
		ns   any
		name string
	}
	var owner any = "uncomparable namespace"
	if t := reflect.TypeOf(ns); t != nil && t.Comparable() {
		owner = ns
	}
	return nsName{owner, n}
}

// acquireAppendLock returns the lock for key, taking a reference to it.
func acquireAppendLock(key any) *appendLock {
	appendLocks.mu.Lock()
	defer appendLocks.mu.Unlock()
	l := appendLocks.locks[key]
	if l == nil {
		l = &appendLock{key: key}
		appendLocks.locks[key] = l
	}
	l.refs++
	return l
}

// release drops a reference taken by acquireAppendLock.
func (l *appendLock) release() {
	appendLocks.mu.Lock()
	defer appendLocks.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(appendLocks.locks, l.key)
	}
}

// fileInfoID is what fileID returns: a host file's identity.
type fileInfoID struct{ dev, ino uint64 }
