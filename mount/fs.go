//go:build !plan9

package mount

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"

	"github.com/spf13/afero"

	"github.com/ipcfs/ipcfs"
)

// New returns ns as an afero.Fs. Its root holds the directories "shm",
// "mq" and "sem"; paths may start with "/" or not ("/" and "" are the
// root), and are cleaned with path.Clean first.
//
// The methods, in short (each has its own doc comment):
//   - Open only looks: a segment opens read-only, a queue or a semaphore as
//     its status text (nothing is received or acquired; see the package
//     doc). Directories open read-only.
//   - OpenFile and Create open for I/O: a Read receives or acquires. They
//     create, by directory, a shared memory segment, a queue with the
//     system's default attributes, or a semaphore with value 0.
//   - Remove unlinks; RemoveAll is Remove that ignores a missing object.
//   - Stat, Chmod, Chown and Chtimes act on the object.
//   - Mkdir and MkdirAll succeed only for the fixed directories.
//   - Rename is not supported.
//
// A nil ns gives an Fs whose every call fails with fs.ErrInvalid.
func New(ns ipcfs.Namespace) afero.Fs {
	return &mountFs{ns: orNil(ns)}
}

func orNil(ns ipcfs.Namespace) ipcfs.Namespace {
	if ns == nil {
		return nilNamespace{}
	}
	return ns
}

// mountFs is a namespace as an afero.Fs.
type mountFs struct {
	ns ipcfs.Namespace
}

var _ afero.Fs = (*mountFs)(nil)

// nsPath turns an afero path into a namespace path: "/mq/x", "mq/x" and
// "mq//x/" all give "mq/x"; "/", "" and "." give ".".
func nsPath(name string) string {
	p := path.Clean("/" + name)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// pathErr returns err as an *fs.PathError for op on the caller's name,
// with the errno or sentinel of an inner *fs.PathError directly inside.
func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// Name returns "ipcfs".
func (m *mountFs) Name() string { return "ipcfs" }

// Create creates or truncates the object at name and opens it read-write:
// a segment is truncated to size 0; an existing queue or semaphore is
// opened as it is; a new queue gets the system's default attributes and a
// new semaphore value 0. perm is 0666 (the host applies the umask).
func (m *mountFs) Create(name string) (afero.File, error) {
	return m.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open opens name to look at it, as the namespace's Open (fs.FS) does: a
// directory; a segment, read-only; a queue or a semaphore as a read-only
// file holding its status text ("current_messages 2", "value 3"; the
// object's Stat has its length as Size). Nothing is received or acquired
// and nothing waits, so afero.ReadFile, afero.Walk readers, afero.NewIOFS
// and http.FileServer over it take nothing from anyone. To receive or
// acquire, use OpenFile.
func (m *mountFs) Open(name string) (afero.File, error) { return m.open(name, nsPath(name)) }

// open opens namespace path p to look; name is what the caller called it,
// which the file's Name and errors carry.
func (m *mountFs) open(name, p string) (afero.File, error) {
	l, err := kind.Parse("open", p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if l.IsDir() {
		return openDir(m.ns, name, p)
	}
	f, err := m.ns.Open(p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if s, ok := f.(ipcfs.Shm); ok {
		sf := &shmFile{handle: handle{obj: s}, shm: s, readable: true}
		sf.name = name
		return sf, nil
	}
	lf := &lookFile{f: f}
	lf.name = name
	return lf, nil
}

// OpenFile opens or creates the object at name for I/O, as os.OpenFile does
// for a file: whatever the flag, a Read on a queue receives (and so removes)
// a message and a Read on a semaphore acquires it. flag takes os.O_RDONLY, os.O_WRONLY, os.O_RDWR, os.O_CREATE,
// os.O_EXCL, os.O_TRUNC (segments; ignored for queues and semaphores),
// os.O_APPEND (segments: every Write goes to the end; appends through any
// number of files of this process never overwrite each other, but appends
// from other processes at the same time can, as shared memory has no
// O_APPEND of its own) and
// syscall.O_NONBLOCK (queues); os.O_SYNC is ignored (memory is the store).
// A segment opened os.O_WRONLY is mapped read-write (a mapping needs read
// access) but Read on it fails with EBADF, as on an os.File. Directories
// open only read-only (EISDIR).
func (m *mountFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	return m.openFile(name, nsPath(name), flag, perm)
}

// openFile opens namespace path p; name is what the caller called it, which
// the file's Name and errors carry.
func (m *mountFs) openFile(name, p string, flag int, perm os.FileMode) (afero.File, error) {
	l, err := kind.Parse("open", p)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	acc := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	if l.IsDir() {
		if acc != os.O_RDONLY || flag&(os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
		}
		return openDir(m.ns, name, p)
	}
	// The namespace gets the flags the kind takes (O_TRUNC for segments,
	// O_NONBLOCK for queues); O_APPEND and O_SYNC stay with the mount.
	f, err := m.ns.OpenFile(p, l.Kind.Takes(flag), perm)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	switch f := f.(type) {
	case ipcfs.Shm:
		sf := &shmFile{handle: handle{obj: f}, shm: f, readable: acc != os.O_WRONLY, writable: acc != os.O_RDONLY}
		sf.name = name
		if flag&os.O_APPEND != 0 {
			sf.append = acquireAppendLock(segmentKey(m.ns, l.Name, f))
		}
		return sf, nil
	case ipcfs.Mq:
		mf := &mqFile{stream: stream{handle{obj: f}}, q: f}
		mf.name = name
		return mf, nil
	case ipcfs.Sem:
		sf := &semFile{stream: stream{handle{obj: f}}, sem: f}
		sf.name = name
		return sf, nil
	}
	f.Close()
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

// Stat returns the FileInfo of the object or directory at name (see the
// namespace's Stat: every object is a regular file; a queue's or a
// semaphore's Size is the length of its status text).
func (m *mountFs) Stat(name string) (os.FileInfo, error) { return m.stat(name, nsPath(name)) }

func (m *mountFs) stat(name, p string) (os.FileInfo, error) {
	fi, err := m.ns.Stat(p)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return fi, nil
}

// isFixedDir reports whether p is the root or one of its directories.
func isFixedDir(p string) bool {
	l, err := kind.Parse("", p)
	return err == nil && l.IsDir()
}

// Mkdir succeeds for the root and its three directories, which always
// exist; anything else fails with EPERM (the namespace has no other
// directories).
func (m *mountFs) Mkdir(name string, perm os.FileMode) error {
	return m.mkdir("mkdir", name, nsPath(name))
}

func (m *mountFs) mkdir(op, name, p string) error {
	if isFixedDir(p) {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: syscall.EPERM}
}

// MkdirAll is Mkdir: nil for the fixed directories, EPERM otherwise.
func (m *mountFs) MkdirAll(name string, perm os.FileMode) error {
	return m.mkdir("mkdir", name, nsPath(name))
}

// Remove unlinks the object at name (shm_unlink, mq_unlink, sem_unlink);
// open files keep working. The directories cannot be removed (EPERM).
func (m *mountFs) Remove(name string) error {
	return pathErr("remove", name, m.ns.Remove(nsPath(name)))
}

// RemoveAll removes the object at name; a missing one is not an error.
// For a directory it fails with EPERM and removes nothing: the directories
// are fixed, and emptying one of the host's would remove other programs'
// objects.
func (m *mountFs) RemoveAll(name string) error { return m.removeAll(name, nsPath(name)) }

func (m *mountFs) removeAll(name, p string) error {
	if isFixedDir(p) {
		return &fs.PathError{Op: "removeall", Path: name, Err: syscall.EPERM}
	}
	err := m.ns.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return pathErr("removeall", name, err)
}

// Rename fails with an error wrapping errors.ErrUnsupported: POSIX IPC
// objects cannot be renamed.
func (m *mountFs) Rename(oldname, newname string) error {
	return &fs.PathError{Op: "rename", Path: oldname, Err: errors.ErrUnsupported}
}

// Chmod changes the object's permission bits.
func (m *mountFs) Chmod(name string, mode os.FileMode) error {
	return pathErr("chmod", name, m.ns.Chmod(nsPath(name), mode))
}

// Chown changes the object's owner and group.
func (m *mountFs) Chown(name string, uid, gid int) error {
	return pathErr("chown", name, m.ns.Chown(nsPath(name), uid, gid))
}

// Chtimes changes the object's access and modification times, where the
// namespace allows it (the host: on /dev/shm and /dev/mqueue files).
func (m *mountFs) Chtimes(name string, atime, mtime time.Time) error {
	return pathErr("chtimes", name, m.ns.Chtimes(nsPath(name), atime, mtime))
}
