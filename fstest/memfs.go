package fstest

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
	"github.com/ipcfs/ipcfs/internal/kind"
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
	MaxMessagesLimit = kind.MqHardMaxMessages
	// MessageSizeLimit is the largest message size MemFS accepts (the
	// kernel's hard limit for msgsize_max).
	MessageSizeLimit = kind.MqHardMessageSize
	// MqPriorityMax is the highest message priority, the host's
	// ipcfs.MqPriorityMax (MQ_PRIO_MAX-1).
	MqPriorityMax = ipcfs.MqPriorityMax
	// SemValueMax is the largest semaphore value, the host's
	// ipcfs.SemValueMax (SEM_VALUE_MAX, INT_MAX).
	SemValueMax = ipcfs.SemValueMax

	// Deprecated: Use MqPriorityMax.
	QueuePriorityMax = MqPriorityMax
)

// MemFS is an in-memory POSIX IPC namespace. It implements ipcfs.Namespace
// (and so fs.FS, fs.ReadDirFS, fs.StatFS), ipcfs.Unlister and fs.SubFS, with the same paths,
// name rules, flags, file infos, blocking behaviour and errors as the host
// namespace ipcfs.New(): both follow one description of each kind, and
// TestNamespace checks that they agree.
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
	mu      sync.Mutex
	objects map[kind.Path]object
	opts    memOptions
}

// NewMemFS returns a new, empty in-memory namespace, set up by opts.
func NewMemFS(opts ...MemOption) *MemFS {
	m := &MemFS{objects: map[kind.Path]object{}}
	for _, o := range opts {
		o(&m.opts)
	}
	return m
}

// A MemOption sets up a MemFS at NewMemFS.
type MemOption func(*memOptions)

type memOptions struct {
	unmounted bool             // queues are not listed or stat'ed by path
	now       func() time.Time // the clock of modification times
}

// MqueueUnmounted makes the MemFS behave as a host without the mqueue file
// system at /dev/mqueue: listing queues (ReadDir("mq")), stat'ing,
// chmod'ing, chown'ing and chtimes'ing them by path fail with
// ipcfs.ErrMqueueNotMounted, while opening, using and removing queues work,
// as on such a host. Use it to test how code copes with that host.
func MqueueUnmounted() MemOption { return func(o *memOptions) { o.unmounted = true } }

// Clock makes the MemFS take modification times from now instead of
// time.Now, for tests that check them.
func Clock(now func() time.Time) MemOption { return func(o *memOptions) { o.now = now } }

func (m *MemFS) now() time.Time {
	if m.opts.now != nil {
		return m.opts.now()
	}
	return time.Now()
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
	now      func() time.Time // the namespace's clock
}

func (mt *meta) init(m *MemFS, name string, perm fs.FileMode) {
	mt.now = m.now
	now := mt.now()
	mt.name, mt.perm, mt.uid, mt.gid, mt.atime, mt.mtime = name, perm.Perm(), os.Getuid(), os.Getgid(), now, now
}

// touch sets the modification time to now. mt.mu must be held.
func (mt *meta) touch() { mt.mtime = mt.now() }

// object is the part of every in-memory object the namespace needs.
type object interface {
	info() fs.FileInfo
	chmod(fs.FileMode)
	chown(uid, gid int)
	chtimes(atime, mtime time.Time)
}

// memOpeners is MemFS's column of the kind table: how OpenFile and
// CreateTemp open each kind by path p, giving a new object what o says
// (zero: the kind's defaults, size 0, default attributes, value 0). The
// handle is named p.
var memOpeners = [kind.Count]func(m *MemFS, p, name string, flag int, perm fs.FileMode, o ipcfs.TempOptions) (ipcfs.File, error){
	kind.ShmID: func(m *MemFS, p, name string, flag int, perm fs.FileMode, o ipcfs.TempOptions) (ipcfs.File, error) {
		f, err := m.openShm(p, name, flag, perm, o.Size)
		if err != nil {
			return nil, err
		}
		f.h.name = p
		return f, nil
	},
	kind.MqID: func(m *MemFS, p, name string, flag int, perm fs.FileMode, o ipcfs.TempOptions) (ipcfs.File, error) {
		f, err := m.openMq(p, name, flag, perm, o.Attr)
		if err != nil {
			return nil, err
		}
		f.h.name = p
		return f, nil
	},
	kind.SemID: func(m *MemFS, p, name string, flag int, perm fs.FileMode, o ipcfs.TempOptions) (ipcfs.File, error) {
		f, err := m.openSem(p, name, flag, perm, o.Value)
		if err != nil {
			return nil, err
		}
		f.h.name = p
		return f, nil
	},
}

// asFile returns f as an ipcfs.File, or a nil File with err.
func asFile[F ipcfs.File](f F, err error) (ipcfs.File, error) {
	if err != nil {
		return nil, err
	}
	return f, nil
}

// create returns the object of kind k named n (a clean name), creating it
// with newObj when it does not exist and flag has os.O_CREATE, with the
// existence rules every kind shares: fs.ErrExist for O_CREATE|O_EXCL on an
// existing object, fs.ErrNotExist without O_CREATE on a missing one. The
// error is an *fs.PathError for op "open" on p. m.mu must be held.
func (m *MemFS) create(p string, k *kind.Kind, n string, flag int, newObj func() (object, error)) (object, bool, error) {
	if m.objects == nil {
		m.objects = map[kind.Path]object{}
	}
	key := kind.Path{Kind: k, Name: n}
	o, exists := m.objects[key]
	switch {
	case exists && flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return nil, false, &fs.PathError{Op: "open", Path: p, Err: syscall.EEXIST}
	case exists:
		return o, false, nil
	case flag&os.O_CREATE == 0:
		return nil, false, &fs.PathError{Op: "open", Path: p, Err: syscall.ENOENT}
	}
	o, err := newObj()
	if err != nil {
		return nil, false, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	m.objects[key] = o
	return o, true, nil
}

// lookup returns the object at l or nil.
func (m *MemFS) lookup(l kind.Path) object {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.objects[l]
}

// hidden reports whether objects of kind k cannot be seen by path (queues
// of a MemFS made with MqueueUnmounted), as on the host.
func (m *MemFS) hidden(k *kind.Kind) bool { return k.NeedsMount && m.opts.unmounted }

// Open opens path to look at it, as the host namespace's Open does: a
// directory; a segment, read-only; a queue or a semaphore as its status
// text (ipcfs.MqInfo.Status, ipcfs.SemInfo.Status). Nothing is received or
// acquired and nothing waits.
func (m *MemFS) Open(p string) (fs.File, error) {
	return backend.Open(m, p, func(p string) (fs.File, error) { return m.OpenFile(p, os.O_RDONLY, 0) })
}

// OpenFile opens or creates the object at path for I/O, as
// ipcfs.Namespace.OpenFile describes: new queues get DefaultMaxMessages x
// DefaultMessageSize, new semaphores value 0; reading a queue receives,
// reading a semaphore acquires. Directories open only read-only (EISDIR
// otherwise). The handle's Name is path.
func (m *MemFS) OpenFile(p string, flag int, perm fs.FileMode) (ipcfs.File, error) {
	return m.openFile(p, flag, perm, ipcfs.TempOptions{})
}

func (m *MemFS) openFile(p string, flag int, perm fs.FileMode, o ipcfs.TempOptions) (ipcfs.File, error) {
	l, err := kind.ParseOpen(p, flag)
	if err != nil {
		return nil, err
	}
	if l.IsDir() {
		return asFile(backend.OpenDir(m, p))
	}
	return memOpeners[l.Kind.ID](m, p, l.Name, flag, perm, o)
}

// Stat returns a FileInfo for path, as the host namespace's: directories as
// backend.DirInfo, objects as regular files; a segment's Size is its length
// (Sys nil), a queue's or a semaphore's the length of its status text, with
// Sys an ipcfs.MqInfo or ipcfs.SemInfo.
func (m *MemFS) Stat(p string) (fs.FileInfo, error) {
	l, dir, err := kind.ParseStat(p)
	if err != nil || dir != nil {
		return dir, err
	}
	if m.hidden(l.Kind) {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: ipcfs.ErrMqueueNotMounted}
	}
	o := m.lookup(l)
	if o == nil {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: syscall.ENOENT}
	}
	return o.info(), nil
}

// ReadDir lists a directory, sorted by name. Objects whose names are not
// valid io/fs path elements (not UTF-8) are left out, as on the host; see
// Unlisted.
func (m *MemFS) ReadDir(p string) ([]fs.DirEntry, error) {
	l, root, err := kind.ParseDir(p)
	if err != nil || l.Kind == nil {
		return root, err
	}
	if m.hidden(l.Kind) {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: ipcfs.ErrMqueueNotMounted}
	}
	return m.list(l.Kind, true), nil
}

var _ ipcfs.Unlister = (*MemFS)(nil)

// Unlisted returns the objects of dir ("shm", "mq" or "sem") whose names
// are not valid io/fs path elements, which ReadDir leaves out (see
// ipcfs.Unlister), sorted by name.
func (m *MemFS) Unlisted(dir string) ([]fs.DirEntry, error) {
	l, _, err := kind.ParseDir(dir)
	if err == nil && l.Kind == nil {
		err = &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrInvalid}
	}
	if err != nil {
		return nil, err
	}
	if m.hidden(l.Kind) {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: ipcfs.ErrMqueueNotMounted}
	}
	return m.list(l.Kind, false), nil
}

// list returns the objects of kind k whose names kind.Listed says are
// listed (listed true) or not (false), sorted by name.
func (m *MemFS) list(k *kind.Kind, listed bool) []fs.DirEntry {
	var objs []object
	m.mu.Lock()
	for key, o := range m.objects {
		if key.Kind == k && kind.Listed(key.Name) == listed {
			objs = append(objs, o)
		}
	}
	m.mu.Unlock()
	entries := make([]fs.DirEntry, 0, len(objs))
	for _, o := range objs {
		entries = append(entries, fs.FileInfoToDirEntry(o.info()))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries
}

// Remove unlinks the object at path; open handles keep working. The
// directories cannot be removed (EPERM).
func (m *MemFS) Remove(p string) error {
	l, err := kind.ParseObject("remove", p)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[l]; !ok {
		return &fs.PathError{Op: "remove", Path: p, Err: syscall.ENOENT}
	}
	delete(m.objects, l)
	return nil
}

// CreateTemp creates a new object in dir with a random name made from
// pattern, as the host namespace's CreateTemp does, giving it what opts say
// (ipcfs.WithPerm, WithShmSize, WithMqAttr, WithSemValue). The handle's
// Name is its path.
func (m *MemFS) CreateTemp(dir, pattern string, opts ...ipcfs.TempOption) (ipcfs.File, error) {
	o := ipcfs.NewTempOptions(opts...)
	return backend.CreateTemp(dir, pattern, func(p string) (ipcfs.File, error) {
		return m.openFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, o.Perm, o)
	})
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
	l, err := kind.ParseObject(op, p)
	if err != nil {
		return err
	}
	if m.hidden(l.Kind) {
		return &fs.PathError{Op: op, Path: p, Err: ipcfs.ErrMqueueNotMounted}
	}
	o := m.lookup(l)
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
func (m *MemFS) Sub(dir string) (fs.FS, error) { return backend.Sub(m, dir) }
