package ipcfs

import (
	"io/fs"
	"os"
	"path"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/shm"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// ErrShmShrunk is returned, inside an *fs.PathError, by a read or write
// that touched a part of the mapping the segment no longer covers, because
// another handle or process shrank it (ftruncate) under this one. The
// process does not crash (the fault is recovered); the handle learns the new
// size and later calls see it. errors.Is(err, syscall.EFAULT) also holds.
var ErrShmShrunk error = &errnoSentinel{"shared memory segment shrank under the mapping", sys.EFAULT}

// ShmFile is an open POSIX shared memory segment: the file /dev/shm/NAME,
// opened as glibc's shm_open opens it, and mapped into this process
// (MAP_SHARED). It implements Shm and reads and writes like a
// regular file whose bytes are the mapping: ReadAt, WriteAt, ReadFrom and
// WriteTo copy straight between the caller and the shared pages, with no
// system call when the range lies inside the known size.
//
// Writing past the end grows the segment, reserving its pages first
// (fallocate), so a full /dev/shm fails the write with ENOSPC rather than
// crashing the process later. Bytes gives zero-copy access to the mapping.
//
// The handle caches the segment's size. It refreshes it with fstat whenever
// an access reaches past the cached size (so growth by other processes is
// seen), and in Size, Stat and Seek from the end. When another process
// shrinks the segment, an access to a page the segment no longer covers
// fails with ErrShmShrunk instead of raising SIGBUS; bytes past the new
// end inside its last page read as zeros until the handle learns the size.
//
// A ShmFile is safe for concurrent use by many goroutines. It holds none of
// its locks while it runs the caller's code (the writer of WriteTo, the
// reader of ReadFrom) or touches memory the caller passed, so a panic or a
// fault there, recovered by the caller, leaves it usable, and two copies
// between the same two handles in opposite directions cannot deadlock.
// Close does not wait for calls in progress: it returns at once, and the
// mapping a call is using stays mapped until that call returns; later
// calls fail with fs.ErrClosed.
//
// Close a ShmFile when done with it. A handle dropped without Close is not
// leaked: once the garbage collector finds it unreachable, a cleanup
// (runtime.AddCleanup) unmaps it and closes its descriptor, as os.File
// does. Slices from Bytes and the number from Fd do not keep the handle
// reachable; see Bytes.
type ShmFile struct {
	name     string // "/NAME"
	readOnly bool

	// mu guards *shmRes (fd, m, old) and released. It is held for writing
	// to remap, resize and close, and for reading while ReadAt and WriteAt
	// copy between the caller's memory and the mapping (so that Truncate on
	// this handle never shrinks the segment under such a copy; a fault in
	// the caller's memory panics through a deferred unlock). It is never
	// held while the caller's code runs.
	mu       sync.RWMutex
	closed   atomic.Bool // set by Close, under mu
	released bool        // *shmRes is released (unmapped and closed)
	// pins counts calls using the mapping or the descriptor without mu
	// (see pin); the last one to leave after Close releases *shmRes.
	pins    atomic.Int64
	view    atomic.Pointer[[]byte] // the current mapping (shmRes.m), for pinned calls
	*shmRes                        // descriptor and mappings; also owned by cleanup until Close
	cleanup runtime.Cleanup        // releases *shmRes if f is dropped without Close
	size    atomic.Int64           // last known size of the segment

	// sizeMu makes each change of the segment's size by this handle
	// (ftruncate, a growing pwrite) and each fstat one step with storing
	// its result in size, so an older result never overwrites a newer one
	// (a stale, larger size would make this handle's own copies fault).
	// Every store to size after open holds it. Taken after mu; never held
	// while the caller's code runs.
	sizeMu sync.Mutex

	posMu sync.Mutex // guards pos; never held while calling the caller's code
	pos   int64
}

var _ Shm = (*ShmFile)(nil)

// OpenShm opens the shared memory segment name ("/NAME" or "NAME"), as
// glibc's shm_open followed by mmap does, and as posix_ipc's SharedMemory
// does for size.
//
// flag is os.O_RDONLY or os.O_RDWR (os.O_WRONLY opens read-write, because a
// mapping needs read access), combined with os.O_CREATE (create the segment
// if missing), os.O_EXCL (with O_CREATE: fail with fs.ErrExist if it exists)
// and os.O_TRUNC (truncate to zero). Other bits are ignored. perm gives a
// new segment's permission bits, subject to the umask; callers usually pass
// 0600. A missing segment without O_CREATE gives fs.ErrNotExist, a name that
// is a symlink gives ELOOP (O_NOFOLLOW, as glibc), and a name that is not a
// regular file gives an error matching ENODEV that says what it found ("a
// FIFO, not a shared memory segment").
//
// A size > 0 resizes the segment, new or existing, to size bytes
// (ftruncate; new bytes read as zeros); size 0 leaves it alone. If the
// resize of a segment this call created fails, the segment is removed
// again. A read-only handle cannot resize (EINVAL).
//
// Errors are *fs.PathError with Op "open" and Path name; an invalid name
// gives fs.ErrInvalid. On systems other than Linux, OpenShm fails with
// errors.ErrUnsupported.
func OpenShm(name string, flag int, perm fs.FileMode, size int64) (*ShmFile, error) {
	n, err := kind.Shm.Clean(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if size < 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: kind.NegativeSize(size)}
	}
	f, err := shmOpen(n, flag, perm, size)
	if err != nil {
		if t, ok := sys.OpenRefused(kind.Shm.HostPath(n), err); ok {
			err = kind.Shm.NotObject(t)
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: explainNofile(err)}
	}
	return f, nil
}

func shmOpen(n string, flag int, perm fs.FileMode, size int64) (*ShmFile, error) {
	path := kind.Shm.HostPath(n)
	readOnly := flag&(os.O_WRONLY|os.O_RDWR) == 0
	acc := os.O_RDWR
	if readOnly {
		acc = os.O_RDONLY
	}
	kflag := acc | flag&os.O_TRUNC
	mode := uint32(perm.Perm())

	// With O_CREATE but not O_EXCL, open an existing segment first and create
	// with O_EXCL only if it is missing, as glibc's sem_open does: then this
	// call knows whether it created the segment, and can remove it again if
	// the resize fails.
	fd, created := -1, false
	var err error
	for range 100 {
		if flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0 {
			fd, err = shm.Open(path, kflag|os.O_CREATE|os.O_EXCL, mode)
			created = err == nil
			break
		}
		fd, err = shm.Open(path, kflag, mode)
		if err != syscall.ENOENT || flag&os.O_CREATE == 0 {
			break
		}
		fd, err = shm.Open(path, kflag|os.O_CREATE|os.O_EXCL, mode)
		if err != syscall.EEXIST {
			created = err == nil
			break
		}
		// Lost a race with another creator: open theirs.
	}
	if err != nil {
		return nil, err
	}
	f := &ShmFile{name: "/" + n, readOnly: readOnly, shmRes: newShmRes(fd, path)}
	f.view.Store(new([]byte))
	fail := func(err error) (*ShmFile, error) {
		f.release()
		if created {
			shm.Unlink(path)
		}
		return nil, err
	}
	st, err := shm.Fstat(fd)
	if err != nil {
		return fail(err)
	}
	if !st.Mode.IsRegular() {
		return fail(kind.Shm.NotObject(st.Mode))
	}
	// Map before resizing (mapping past the end of the file is allowed), so
	// a size that cannot be mapped fails without resizing anything.
	if err := f.mapAtLeast(max(size, st.Size)); err != nil {
		return fail(err)
	}
	if size > 0 && size != st.Size {
		if err := shm.Truncate(fd, size); err != nil {
			return fail(err)
		}
		st.Size = size
	}
	f.size.Store(st.Size)
	f.cleanup = runtime.AddCleanup(f, shmCleanup, f.shmRes)
	return f, nil
}

// RemoveShm removes the shared memory segment name (shm_unlink). Handles
// that are open keep working; the memory is freed when the last one closes.
// Errors are *fs.PathError with Op "remove": fs.ErrNotExist for a missing
// segment, fs.ErrPermission (EACCES, as glibc's shm_unlink reports it) without
// write access to /dev/shm or, with its sticky bit, when the segment is
// someone else's, fs.ErrInvalid for an invalid name.
func RemoveShm(name string) error {
	n, err := kind.Shm.Clean(name)
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	if err := shm.Unlink(kind.Shm.HostPath(n)); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

// statShm stats the segment with the clean name n without following a
// symlink. Only regular files are segments: a symlink gives ELOOP (what
// OpenShm's O_NOFOLLOW gives), any other kind of file an error matching
// ENODEV that says what it is.
func statShm(n string) (fs.FileInfo, error) {
	st, err := shm.Lstat(kind.Shm.HostPath(n))
	if err != nil {
		return nil, err
	}
	return shmInfo(n, st)
}

func shmInfo(n string, st shm.Info) (fs.FileInfo, error) {
	switch {
	case st.Mode&fs.ModeSymlink != 0:
		return nil, sys.ELOOP
	case !st.Mode.IsRegular():
		return nil, kind.Shm.NotObject(st.Mode)
	}
	return kind.Shm.Info(n, st.Size, st.Mode, st.ModTime, st.Sys), nil
}

// Name returns the name the segment was opened by, which its errors carry
// too: the POSIX name with its leading slash ("/NAME") when opened with
// OpenShm, as posix_ipc's name attribute; the namespace path ("shm/NAME")
// when opened through a Namespace by path (Open, OpenFile, CreateTemp), as
// os.File's Name.
func (f *ShmFile) Name() string {
	if f == nil {
		return ""
	}
	return f.name
}

// Fd returns the file descriptor of the open segment, as posix_ipc's fd
// attribute; it stays owned by f and is closed by Close, or by f's cleanup
// once f is unreachable: keep f alive (runtime.KeepAlive) while you use the
// descriptor, as with os.File's Fd. Fd returns ^uintptr(0) for a closed or
// nil handle, as os.File does.
func (f *ShmFile) Fd() uintptr {
	if f == nil {
		return ^uintptr(0)
	}
	if _, err := f.pin(); err != nil {
		return ^uintptr(0)
	}
	defer f.unpin()
	return uintptr(f.fd)
}

// Stat returns the segment's FileInfo (fstat): a regular file with the
// segment's size, permission bits and modification time; Sys returns the
// raw *syscall.Stat_t.
func (f *ShmFile) Stat() (fs.FileInfo, error) {
	if err := f.checkValid("stat"); err != nil {
		return nil, err
	}
	if _, err := f.pin(); err != nil {
		return nil, f.pathErr("stat", err)
	}
	defer f.unpin()
	st, err := f.fstat()
	if err != nil {
		return nil, f.pathErr("stat", err)
	}
	fi, err := shmInfo(path.Base(f.name), st)
	if err != nil {
		return nil, f.pathErr("stat", err)
	}
	return fi, nil
}

// Size returns the segment's current size (fstat), including resizes made
// by other handles and processes.
func (f *ShmFile) Size() (int64, error) {
	if err := f.checkValid("stat"); err != nil {
		return 0, err
	}
	if _, err := f.pin(); err != nil {
		return 0, f.pathErr("stat", err)
	}
	defer f.unpin()
	size, err := f.refreshSize()
	if err != nil {
		return 0, f.pathErr("stat", err)
	}
	return size, nil
}

// Truncate resizes the segment to size bytes (ftruncate), as os.File's
// Truncate does: new bytes read as zeros, the offset is unchanged. Growing
// remaps as needed. After a shrink, slices from Bytes must not be used past
// the new size (the process would get SIGBUS). A read-only handle fails
// with an error matching fs.ErrPermission and syscall.EBADF.
func (f *ShmFile) Truncate(size int64) error {
	if err := f.checkValid("truncate"); err != nil {
		return err
	}
	if size < 0 {
		return f.pathErr("truncate", kind.NegativeSize(size))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Load() {
		return f.pathErr("truncate", fs.ErrClosed)
	}
	if f.readOnly {
		return f.pathErr("truncate", kind.NotWritable())
	}
	// Map first (mapping past the end of the file is allowed), so a size
	// that cannot be mapped fails with the segment unchanged.
	if err := f.mapAtLeast(size); err != nil {
		return f.pathErr("truncate", err)
	}
	f.sizeMu.Lock()
	defer f.sizeMu.Unlock()
	if err := shm.Truncate(f.fd, size); err != nil {
		return f.pathErr("truncate", err)
	}
	f.size.Store(size)
	return nil
}

// Sync flushes the mapping to the segment (msync with MS_SYNC). Shared
// memory lives in RAM, so other processes see stores at once; Sync only
// matters for ordering with non-mapping access to the file.
func (f *ShmFile) Sync() error {
	if err := f.checkValid("sync"); err != nil {
		return err
	}
	m, err := f.pin()
	if err != nil {
		return f.pathErr("sync", err)
	}
	defer f.unpin()
	if len(m) == 0 {
		return nil
	}
	if err := shm.Sync(m); err != nil {
		return f.pathErr("sync", err)
	}
	return nil
}

// Bytes returns the segment's bytes, from the mapping itself: no copy, and
// stores into the slice are seen by every process that maps the segment.
// Its length (and capacity) is the segment's current size (fstat); for a
// segment other processes resize, call Bytes again to see the new size.
//
// Lifetime: the slice stays valid until Close, also after the segment grows
// (growth maps a larger region and keeps the old one until Close). The
// slice points into the mapping, not into the handle, so it does not keep
// the handle reachable: a handle dropped without Close is unmapped by its
// cleanup once the garbage collector finds it unreachable. Keep the handle
// alive (use it later, or call runtime.KeepAlive(f) after the last use of
// the slice) for as long as you use the slice. After Close or the cleanup,
// or past the end of a segment that was shrunk (by Truncate, or by another
// process), touching the slice crashes the process (SIGSEGV or SIGBUS); use
// ReadAt and WriteAt where that can happen. The slice of a read-only handle
// must not be written.
func (f *ShmFile) Bytes() ([]byte, error) {
	if err := f.checkValid("bytes"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Load() {
		return nil, f.pathErr("bytes", fs.ErrClosed)
	}
	size, err := f.refreshSize()
	if err != nil {
		return nil, f.pathErr("bytes", err)
	}
	if err := f.mapAtLeast(size); err != nil {
		return nil, f.pathErr("bytes", err)
	}
	if size == 0 {
		return []byte{}, nil
	}
	return f.m[:size:size], nil
}

// Close unmaps the segment and closes its descriptor. The segment itself
// stays until removed (RemoveShm). Close does not wait for calls in progress
// on other goroutines (a WriteTo inside its writer, say): they fail with
// fs.ErrClosed at their next step, and the last of them unmaps and closes
// when it returns. A second Close fails with fs.ErrClosed.
func (f *ShmFile) Close() error {
	if err := f.checkValid("close"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Load() {
		return f.pathErr("close", fs.ErrClosed)
	}
	f.closed.Store(true)
	f.cleanup.Stop()
	if f.pins.Load() != 0 {
		return nil // the last call in progress releases (unpin)
	}
	f.released = true
	if err := f.release(); err != nil {
		return f.pathErr("close", err)
	}
	return nil
}

// checkValid returns the error for a method called on a nil handle; a
// closed one is found by pin, or under f.mu.
func (f *ShmFile) checkValid(op string) error {
	if f == nil {
		return kind.NilHandle(op)
	}
	return nil
}

func (f *ShmFile) pathErr(op string, err error) error {
	return &fs.PathError{Op: op, Path: f.name, Err: err}
}
