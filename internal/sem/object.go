package sem

import (
	"os"
	"sync"

	"github.com/edsrzf/mmap-go"

	"github.com/ipcfs/ipcfs/internal/sleepers"
)

// fileKey identifies a semaphore within the host: its file's device and
// inode.
type fileKey struct {
	dev, ino uint64
}

// Object is one semaphore as this process holds it: the one mapping of its
// file, the one descriptor kept for Stat, and the goroutines of this
// process waiting on it. Every handle of the semaphore in this process
// shares it, so mappings and descriptors are bounded by the number of
// distinct semaphores, not by the number of handles.
//
// glibc keys its table of mappings by (dev, ino, name as passed to
// sem_open); this table is keyed by (dev, ino) alone: a semaphore is its
// inode, whatever name (or hard link) it was opened by, and one object per
// inode means one queue and at most one watching sleeper per semaphore.
// Names are already cleaned by the caller ("/x" and "x" are one name), so
// the only difference from glibc is that two hard links of one file share
// a mapping here.
//
// Lifetime: the mapping stays until no handle that refers to it is
// reachable and no sleeper watches it (refs), so an operation that races
// Close never touches unmapped memory; the descriptor is closed as soon as
// every handle is closed (open), since only Stat, which checks the handle
// first, uses it.
type Object struct {
	word Word
	key  fileKey
	mem  mmap.MMap

	refs int // guarded by table.mu: handles not yet collected, plus a watching sleeper

	fdMu sync.RWMutex
	file *os.File // nil once every handle is closed
	open int      // handles not closed

	mu       sync.Mutex // guards the waiting state below
	queue    queue      // goroutines waiting in Go, oldest first
	direct   *waitEntry // the goroutine sleeping in the kernel itself, if any
	watcher  *watcher   // the futex_waitv sleeper watching for queue, if any
	fallback bool       // a per-semaphore fallback sleeper watches for queue

	pace sleepers.Pacer // paces the goroutines that sleep on word: the direct waiter, the fallback sleeper
}

// table is the per-process table of semaphores, glibc's tsearch tree of
// mappings (sem_routines.c).
var table struct {
	mu sync.Mutex
	m  map[fileKey]*Object
}

// Open opens or creates the semaphore file at path as glibc's sem_open does
// (see openFile) and returns the process's Object for it, counting one more
// open handle and one more reference: the caller makes a Handle of it
// (Handle.Init and Track), which gives both back. A semaphore already open
// in this process is not mapped again.
func Open(path string, create, excl bool, perm uint32, value uint32) (*Object, error) {
	fd, key, err := openFile(path, create, excl, perm, value)
	if err != nil {
		return nil, err
	}
	table.mu.Lock()
	if o := table.m[key]; o != nil {
		o.refs++
		table.mu.Unlock()
		o.adopt(fd, path)
		return o, nil
	}
	defer table.mu.Unlock()
	f := os.NewFile(uintptr(fd), path)
	mem, err := mmap.MapRegion(f, Size, mmap.RDWR, 0, 0)
	if err != nil {
		f.Close()
		return nil, err
	}
	o := &Object{word: NewWord(mem), key: key, mem: mem, refs: 1, file: f, open: 1}
	if table.m == nil {
		table.m = make(map[fileKey]*Object)
	}
	table.m[key] = o
	return o, nil
}

// adopt counts one more open handle, whose freshly opened descriptor fd
// becomes the object's if every earlier handle was closed.
func (o *Object) adopt(fd int, path string) {
	o.fdMu.Lock()
	defer o.fdMu.Unlock()
	o.open++
	if o.file == nil {
		o.file = os.NewFile(uintptr(fd), path)
		return
	}
	closeFd(fd)
}

// closeHandle counts one open handle less, and closes the descriptor when
// it was the last.
func (o *Object) closeHandle() error {
	o.fdMu.Lock()
	defer o.fdMu.Unlock()
	o.open--
	if o.open > 0 || o.file == nil {
		return nil
	}
	err := o.file.Close()
	o.file = nil
	return err
}

// ref adds a reference to the mapping.
func (o *Object) ref() {
	table.mu.Lock()
	o.refs++
	table.mu.Unlock()
}

// unref drops a reference; the last one removes the object from the table
// and unmaps it. Nothing can use the object then: every handle is
// unreachable and no sleeper watches it.
func (o *Object) unref() {
	table.mu.Lock()
	o.refs--
	if o.refs > 0 {
		table.mu.Unlock()
		return
	}
	if table.m[o.key] == o {
		delete(table.m, o.key)
	}
	table.mu.Unlock()
	o.mem.Unmap()
	o.fdMu.Lock()
	if o.file != nil {
		o.file.Close()
		o.file = nil
	}
	o.fdMu.Unlock()
}

// Mapped returns the number of semaphores this process has mapped now.
func Mapped() int {
	table.mu.Lock()
	defer table.mu.Unlock()
	return len(table.m)
}

// Fd returns the descriptor the object keeps for Stat, or -1 once every
// handle is closed. For tests.
func (o *Object) Fd() int {
	o.fdMu.RLock()
	defer o.fdMu.RUnlock()
	if o.file == nil {
		return -1
	}
	return int(o.file.Fd())
}
