package ipcfs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
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

// Open opens path for reading: a directory, or an object opened read-only
// (a queue opened this way consumes the messages it reads; a semaphore's Read
// acquires).
func (f *FS) Open(p string) (fs.File, error) {
	file, err := f.OpenFile(p, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	return file, nil
}

// OpenFile opens or creates the object at path, as described by
// Namespace.OpenFile. Directories open only read-only.
func (f *FS) OpenFile(p string, flag int, perm fs.FileMode) (File, error) {
	l, err := kind.ParseOpen(p, flag)
	if err != nil {
		return nil, err
	}
	if l.IsDir() {
		return asFile(backend.OpenDir(f, p))
	}
	file, err := host(l.Kind).open(l.Name, flag, perm)
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

// Stat returns a FileInfo for path. Segments are regular files with their
// size and Sys() a *syscall.Stat_t; queues are fs.ModeIrregular with Size the
// bytes queued and Sys() an MqInfo; semaphores are fs.ModeIrregular with Size
// their value and Sys() a SemInfo.
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
// pattern (posix_ipc's name=None), opened read-write with mode 0600: a
// zero-size segment, a queue with the system's default attributes, or a
// semaphore with value 0. Use Name() to learn the name.
func (f *FS) CreateTemp(dir, pattern string) (File, error) {
	return CreateTemp(f, dir, pattern)
}

// CreateTemp creates a new object in the directory dir ("shm", "mq" or
// "sem") of ns with a random name made from pattern, as os.CreateTemp does:
// the last "*" is replaced by random characters (appended if there is
// none). It opens it read-write with mode 0600, retrying OpenFile with
// os.O_CREATE|os.O_EXCL and fresh names. Namespace implementations use it
// for their CreateTemp.
func CreateTemp(ns Namespace, dir, pattern string) (File, error) {
	if ns == nil {
		return nil, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrInvalid}
	}
	if _, ok := kind.Lookup(dir); !ok {
		return nil, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrNotExist}
	}
	if strings.IndexByte(pattern, 0) >= 0 {
		return nil, &fs.PathError{Op: "createtemp", Path: path.Join(dir, pattern), Err: kind.InvalidName(kind.ErrNUL)}
	}
	if strings.IndexByte(pattern, '/') >= 0 {
		return nil, &fs.PathError{Op: "createtemp", Path: path.Join(dir, pattern), Err: kind.InvalidName(kind.ErrSlash)}
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	const tries = 100
	for range tries {
		p := dir + "/" + prefix + kind.RandomName(12) + suffix
		file, err := ns.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			return file, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: dir + "/" + pattern, Err: fs.ErrExist}
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
