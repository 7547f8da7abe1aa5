package fstest

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
)

// Limits and defaults of MemFS, equal to the host's (Linux) values.
const (
	// DefaultMaxMessages is the capacity of a queue created without
	// attributes (the kernel's msg_default).
	DefaultMaxMessages = 10
	// DefaultMessageSize is the message size of a queue created without
	// attributes (the kernel's msgsize_default).
	DefaultMessageSize = 8192
	// MaxMessagesLimit is the largest capacity MemFS accepts (the kernel's
	// hard limit for msg_max). Unlike the host, MemFS does not apply the
	// unprivileged limit of /proc/sys/fs/mqueue/msg_max.
	MaxMessagesLimit = 65536
	// MessageSizeLimit is the largest message size MemFS accepts (the
	// kernel's hard limit for msgsize_max).
	MessageSizeLimit = 16 << 20
	// QueuePriorityMax is the highest message priority, the host's
	// ipcfs.QueuePriorityMax (MQ_PRIO_MAX-1).
	QueuePriorityMax = ipcfs.QueuePriorityMax
	// SemValueMax is the largest semaphore value, the host's
	// ipcfs.SemValueMax (SEM_VALUE_MAX, INT_MAX).
	SemValueMax = ipcfs.SemValueMax
)

// MemFS is an in-memory POSIX IPC namespace. It implements ipcfs.Namespace
// (and so fs.FS, fs.ReadDirFS, fs.StatFS) and fs.SubFS, with the same paths,
// name rules, flags, blocking behaviour and errors as the host namespace
// ipcfs.New(); TestNamespace checks that they agree.
//
// Differences from the host, by design:
//   - Nothing is shared with other processes or other MemFS values: each
//     NewMemFS is a namespace of its own, and it lives as long as the value.
//   - Permissions are stored, never enforced, and perm is stored as given
//     (no umask is applied): every handle may do what its open flags allow.
//     Chown stores the ids (FileInfo.Sys of a segment is nil, so they are not
//     visible there).
//   - Queues are bounded only by MaxMessagesLimit and MessageSizeLimit, not
//     by /proc/sys/fs/mqueue or RLIMIT_MSGQUEUE.
//   - Notification callbacks run on a new goroutine; there are no signals.
//
// A MemFS is safe for concurrent use. The zero value is an empty namespace
// ready to use, as is NewMemFS().
type MemFS struct {
	mu  sync.Mutex
	shm map[string]*memShm
	mq  map[string]*memMq
	sem map[string]*memSem
}

// NewMemFS returns a new, empty in-memory namespace.
func NewMemFS() *MemFS {
	return &MemFS{
		shm: map[string]*memShm{},
		mq:  map[string]*memMq{},
		sem: map[string]*memSem{},
	}
}

var (
	_ ipcfs.Namespace = (*MemFS)(nil)
	_ fs.SubFS        = (*MemFS)(nil)
)

// meta is what every in-memory object has besides its content. It is
// guarded by the object's own lock.
type meta struct {
	mu       sync.Mutex // the object's lock, guarding meta and content
	name     string     // clean name, without slash
	perm     fs.FileMode
	uid, gid int
	atime    time.Time
	mtime    time.Time
}

func (mt *meta) init(name string, perm fs.FileMode) {
	now := time.Now()
	mt.name, mt.perm, mt.uid, mt.gid, mt.atime, mt.mtime = name, perm.Perm(), os.Getuid(), os.Getgid(), now, now
}

// object is the part of every in-memory object the namespace needs.
type object interface {
	info() fs.FileInfo
	chmod(fs.FileMode)
	chown(uid, gid int)
	chtimes(atime, mtime time.Time)
}

// initMaps makes the zero MemFS usable. m.mu must be held.
func (m *MemFS) initMaps() {
	if m.shm == nil {
		m.shm, m.mq, m.sem = map[string]*memShm{}, map[string]*memMq{}, map[string]*memSem{}
	}
}

// lookup returns the object at dir/name or nil. m.mu must be held.
func (m *MemFS) lookup(dir, name string) object {
	switch dir {
	case "shm":
		if o, ok := m.shm[name]; ok {
			return o
		}
	case "mq":
		if o, ok := m.mq[name]; ok {
			return o
		}
	case "sem":
		if o, ok := m.sem[name]; ok {
			return o
		}
	}
	return nil
}

// Open opens path for reading: a directory, or an object opened read-only.
// As on the host, reading a queue opened this way consumes messages and
// reading a semaphore acquires it.
func (m *MemFS) Open(p string) (fs.File, error) {
	f, err := m.OpenFile(p, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// OpenFile opens or creates the object at path, as ipcfs.Namespace.OpenFile
// describes: new queues get DefaultMaxMessages x DefaultMessageSize, new
// semaphores value 0. Directories open only read-only (EISDIR otherwise).
func (m *MemFS) OpenFile(p string, flag int, perm fs.FileMode) (ipcfs.File, error) {
	dir, name, err := ipcfs.SplitPath("open", p)
	if err != nil {
		return nil, err
	}
	if name == "" {
		if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC) != 0 {
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
		}
		entries, err := m.ReadDir(p)
		if err != nil {
			return nil, err
		}
		return ipcfs.NewDirFile(p, ipcfs.DirInfo(p, dir), entries), nil
	}
	var f ipcfs.File
	switch dir {
	case "shm":
		f, err = m.openShm("open", p, name, flag, perm, 0)
	case "mq":
		f, err = m.openMq("open", p, name, flag, perm, nil)
	case "sem":
		f, err = m.openSem("open", p, name, flag, perm, 0)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// checkOpen applies the existence rules shared by the three kinds: it
// returns the error for an existing object opened with O_CREATE|O_EXCL or a
// missing one opened without O_CREATE.
func checkOpen(op, p string, exists bool, flag int) error {
	switch {
	case exists && flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return &fs.PathError{Op: op, Path: p, Err: syscall.EEXIST}
	case !exists && flag&os.O_CREATE == 0:
		return &fs.PathError{Op: op, Path: p, Err: syscall.ENOENT}
	}
	return nil
}

// Stat returns a FileInfo for path: directories as ipcfs.DirInfo, segments
// as regular files (Sys nil), queues as fs.ModeIrregular with Size the bytes
// queued and Sys an ipcfs.MqInfo, semaphores as fs.ModeIrregular with Sys an
// ipcfs.SemInfo.
func (m *MemFS) Stat(p string) (fs.FileInfo, error) {
	dir, name, err := ipcfs.SplitPath("stat", p)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return ipcfs.DirInfo(p, dir), nil
	}
	m.mu.Lock()
	o := m.lookup(dir, name)
	m.mu.Unlock()
	if o == nil {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: syscall.ENOENT}
	}
	return o.info(), nil
}

// ReadDir lists a directory, sorted by name.
func (m *MemFS) ReadDir(p string) ([]fs.DirEntry, error) {
	dir, name, err := ipcfs.SplitPath("readdir", p)
	if err != nil {
		return nil, err
	}
	if name != "" {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: syscall.ENOTDIR}
	}
	var entries []fs.DirEntry
	if dir == "" {
		for _, d := range []string{"mq", "sem", "shm"} {
			entries = append(entries, fs.FileInfoToDirEntry(ipcfs.DirInfo(d, d)))
		}
		return entries, nil
	}
	var objs []object
	m.mu.Lock()
	switch dir {
	case "shm":
		for _, o := range m.shm {
			objs = append(objs, o)
		}
	case "mq":
		for _, o := range m.mq {
			objs = append(objs, o)
		}
	case "sem":
		for _, o := range m.sem {
			objs = append(objs, o)
		}
	}
	m.mu.Unlock()
	for _, o := range objs {
		entries = append(entries, fs.FileInfoToDirEntry(o.info()))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// Remove unlinks the object at path; open handles keep working. The
// directories cannot be removed (EPERM).
func (m *MemFS) Remove(p string) error {
	dir, name, err := ipcfs.SplitPath("remove", p)
	if err != nil {
		return err
	}
	if name == "" {
		return &fs.PathError{Op: "remove", Path: p, Err: syscall.EPERM}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lookup(dir, name) == nil {
		return &fs.PathError{Op: "remove", Path: p, Err: syscall.ENOENT}
	}
	switch dir {
	case "shm":
		delete(m.shm, name)
	case "mq":
		delete(m.mq, name)
	case "sem":
		delete(m.sem, name)
	}
	return nil
}

// CreateTemp creates a new object in dir with a random name made from
// pattern, as ipcfs.CreateTemp does.
func (m *MemFS) CreateTemp(dir, pattern string) (ipcfs.File, error) {
	return ipcfs.CreateTemp(m, dir, pattern)
}

// Chmod sets the object's permission bits (stored, not enforced).
func (m *MemFS) Chmod(p string, mode fs.FileMode) error {
	return m.onObject("chmod", p, func(o object) { o.chmod(mode) })
}

// Chown stores the object's owner and group; -1 leaves one unchanged.
func (m *MemFS) Chown(p string, uid, gid int) error {
	return m.onObject("chown", p, func(o object) { o.chown(uid, gid) })
}

// Chtimes sets the object's access and modification times.
func (m *MemFS) Chtimes(p string, atime, mtime time.Time) error {
	return m.onObject("chtimes", p, func(o object) { o.chtimes(atime, mtime) })
}

func (m *MemFS) onObject(op, p string, do func(object)) error {
	dir, name, err := ipcfs.SplitPath(op, p)
	if err != nil {
		return err
	}
	if name == "" {
		return &fs.PathError{Op: op, Path: p, Err: syscall.EPERM}
	}
	m.mu.Lock()
	o := m.lookup(dir, name)
	m.mu.Unlock()
	if o == nil {
		return &fs.PathError{Op: op, Path: p, Err: syscall.ENOENT}
	}
	do(o)
	return nil
}

func (mt *meta) chmod(mode fs.FileMode) {
	mt.mu.Lock()
	mt.perm = mode.Perm()
	mt.mu.Unlock()
}

func (mt *meta) chown(uid, gid int) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if uid != -1 {
		mt.uid = uid
	}
	if gid != -1 {
		mt.gid = gid
	}
}

func (mt *meta) chtimes(atime, mtime time.Time) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if !atime.IsZero() {
		mt.atime = atime
	}
	if !mtime.IsZero() {
		mt.mtime = mtime
	}
}

// Sub returns the namespace rooted at dir ("shm", "mq" or "sem"), as
// fs.Sub would.
func (m *MemFS) Sub(dir string) (fs.FS, error) {
	return subNamespace(m, dir)
}

// subNamespace is fs.Sub for a namespace, without fs.Sub's recursion into
// the namespace's own Sub method.
func subNamespace(ns ipcfs.Namespace, dir string) (fs.FS, error) {
	if dir == "." {
		return ns, nil
	}
	fi, err := ns.Stat(dir)
	if err != nil {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: unwrapPath(err)}
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: syscall.ENOTDIR}
	}
	return &subFS{ns: ns, dir: dir}, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// subFS is one directory of a namespace as an fs.FS.
type subFS struct {
	ns  ipcfs.Namespace
	dir string
}

func (s *subFS) full(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(s.dir, name), nil
}

func (s *subFS) fix(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: unwrapPath(err)}
}

func (s *subFS) Open(name string) (fs.File, error) {
	full, err := s.full("open", name)
	if err != nil {
		return nil, err
	}
	if name == "." {
		entries, err := s.ns.ReadDir(s.dir)
		if err != nil {
			return nil, s.fix("open", name, err)
		}
		return ipcfs.NewDirFile(".", ipcfs.DirInfo(".", s.dir), entries), nil
	}
	f, err := s.ns.Open(full)
	if err != nil {
		return nil, s.fix("open", name, err)
	}
	return f, nil
}

func (s *subFS) ReadDir(name string) ([]fs.DirEntry, error) {
	full, err := s.full("readdir", name)
	if err != nil {
		return nil, err
	}
	d, err := s.ns.ReadDir(full)
	return d, s.fix("readdir", name, err)
}

func (s *subFS) Stat(name string) (fs.FileInfo, error) {
	full, err := s.full("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := s.ns.Stat(full)
	if err != nil {
		return nil, s.fix("stat", name, err)
	}
	if name == "." {
		fi = ipcfs.DirInfo(".", s.dir)
	}
	return fi, nil
}
