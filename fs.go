package ipcfs

import (
	"io/fs"
	"os"
	"time"

	"github.com/ipcfs/ipcfs/backend"
	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// FS is the host's POSIX IPC namespace: every shared memory segment, message
// queue and named semaphore visible to this process, as one file system with
// the directories "shm", "mq" and "sem". It implements Namespace, fs.FS,
// fs.ReadDirFS, fs.StatFS and fs.SubFS. The zero value is ready to use; FS
// holds no state, so any number of them may be used concurrently.
type FS struct{}

// New returns the host namespace.
func New() *FS { return &FS{} }

var _ Namespace = (*FS)(nil)

// Open opens path to look at it, never to take from it (fs.FS's Open, and
// so what fs.ReadFile, fs.WalkDir, http.FS and os.CopyFS use): a directory;
// a segment, read-only; a queue or a semaphore as its status text (see
// MqInfo.Status, SemInfo.Status), as reading /dev/mqueue/NAME gives. Nothing
// is received or acquired and nothing waits. For I/O, use OpenFile or the
// Open* methods.
func (f *FS) Open(p string) (fs.File, error) {
	return backend.Open(f, p, func(p string) (fs.File, error) { return f.OpenFile(p, os.O_RDONLY, 0) })
}

// OpenFile opens or creates the object at path for I/O, as described by
// Namespace.OpenFile: reading a queue opened this way receives, reading a
// semaphore acquires, whatever the flag. Directories open only read-only.
// The handle's Name, and its errors, carry path.
func (f *FS) OpenFile(p string, flag int, perm fs.FileMode) (File, error) {
	return f.openFile(p, flag, perm, TempOptions{})
}

// openFile is OpenFile giving a new object what o says (zero: the kind's
// defaults).
func (f *FS) openFile(p string, flag int, perm fs.FileMode, o TempOptions) (File, error) {
	l, err := kind.ParseOpen(p, flag)
	if err != nil {
		return nil, err
	}
	if l.IsDir() {
		return asFile(backend.OpenDir(f, p))
	}
	file, err := host(l.Kind).open(p, l.Name, flag, perm, o)
	if err != nil {
		return nil, relabel("open", p, err)
	}
	return file, nil
}

// OpenShm is the package-level OpenShm as a Namespace method.
func (*FS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (Shm, error) {
	s, err := OpenShm(name, flag, perm, size)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// OpenMq is the package-level OpenMq as a Namespace method.
func (*FS) OpenMq(name string, flag int, perm fs.FileMode, attr *MqAttr) (Mq, error) {
	q, err := OpenMq(name, flag, perm, attr)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// OpenSem is the package-level OpenSem as a Namespace method.
func (*FS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (Sem, error) {
	s, err := OpenSem(name, flag, perm, value)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Stat returns a FileInfo for path. Every object is a regular file, as its
// host file is. A segment's Size is its length and Sys() a *syscall.Stat_t;
// a queue's and a semaphore's Size is the length of the status text Open
// reads, and Sys() an MqInfo (attributes, bytes queued) or a SemInfo
// (value).
func (f *FS) Stat(p string) (fs.FileInfo, error) {
	l, dir, err := kind.ParseStat(p)
	if err != nil || dir != nil {
		return dir, err
	}
	fi, err := host(l.Kind).stat(l.Name)
	if err != nil {
		return nil, pathError("stat", p, err)
	}
	return fi, nil
}

// ReadDir lists a directory of the namespace, sorted by name. Listing "mq"
// needs the mqueue file system at /dev/mqueue (ErrMqueueNotMounted
// otherwise). Objects that vanish while listing are left out, and so are
// objects whose names are not valid io/fs path elements (not UTF-8), which
// no path could reach: Unlisted lists those.
func (f *FS) ReadDir(p string) ([]fs.DirEntry, error) {
	l, root, err := kind.ParseDir(p)
	if err != nil || l.Kind == nil {
		return root, err
	}
	entries, err := listKind(l.Kind, true)
	if err != nil {
		return nil, pathError("readdir", p, err)
	}
	return entries, nil
}

// Remove unlinks the object at path (shm_unlink, mq_unlink, sem_unlink).
// Handles that are open keep working. The three directories cannot be
// removed (fs.ErrPermission).
func (f *FS) Remove(p string) error {
	l, err := kind.ParseObject("remove", p)
	if err != nil {
		return err
	}
	return relabel("remove", p, host(l.Kind).remove(l.Name))
}

// CreateTemp creates a new object in dir with a random name made from
// pattern (posix_ipc's name=None), opened read-write: by default with mode
// 0600, a zero-size segment, a queue with the system's default attributes,
// or a semaphore with value 0; opts give what the named opens take
// (WithPerm, WithShmSize, WithMqAttr, WithSemValue). The handle's Name is
// its path ("shm/job-x1Y2..."), which Remove takes.
func (f *FS) CreateTemp(dir, pattern string, opts ...TempOption) (File, error) {
	o := NewTempOptions(opts...)
	return backend.CreateTemp(dir, pattern, func(p string) (File, error) {
		return f.openFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, o.Perm, o)
	})
}

// Chmod changes the permission bits of the object at path. For queues it
// needs the mqueue file system at /dev/mqueue. A symlink under the object's
// name gives ELOOP and is not followed; any other file that is not an object
// (a directory, a FIFO, a socket, a device) gives an error matching ENODEV
// that says what it found; the same holds for Chown and Chtimes.
func (f *FS) Chmod(p string, mode fs.FileMode) error {
	return f.onObject("chmod", p, func(file string) error { return sys.Chmod(file, mode) })
}

// Chown changes the owner and group of the object at path (-1 leaves one
// unchanged). For queues it needs the mqueue file system at /dev/mqueue.
func (f *FS) Chown(p string, uid, gid int) error {
	return f.onObject("chown", p, func(file string) error { return sys.Chown(file, uid, gid) })
}

// Chtimes changes the access and modification times of the object at path.
// For queues it needs the mqueue file system at /dev/mqueue.
func (f *FS) Chtimes(p string, atime, mtime time.Time) error {
	return f.onObject("chtimes", p, func(file string) error { return sys.Chtimes(file, atime, mtime) })
}

func (f *FS) onObject(op, p string, do func(hostPath string) error) error {
	l, err := kind.ParseObject(op, p)
	if err != nil {
		return err
	}
	if l.Kind.NeedsMount && !mq.Mounted() {
		return &fs.PathError{Op: op, Path: p, Err: ErrMqueueNotMounted}
	}
	err = do(l.Kind.HostPath(l.Name))
	if nr, ok := err.(*sys.NotRegularError); ok {
		err = l.Kind.NotObject(nr.Type)
	}
	return pathError(op, p, err)
}

// Sub returns the namespace rooted at dir, as fs.Sub would.
func (f *FS) Sub(dir string) (fs.FS, error) { return backend.Sub(f, dir) }
