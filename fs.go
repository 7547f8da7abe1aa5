package ipcfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs/internal/names"
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

// The three directories of a namespace, in ReadDir order.
var kindDirs = []string{"mq", "sem", "shm"}

func kindOf(dir string) (names.Kind, bool) {
	switch dir {
	case "shm":
		return names.Shm, true
	case "mq":
		return names.Mq, true
	case "sem":
		return names.Sem, true
	}
	return 0, false
}

// invalidName is the error inside a PathError for a name that breaks the
// POSIX rules; errors.Is(err, fs.ErrInvalid) holds.
func invalidName(reason error) error { return fmt.Errorf("%w: %w", fs.ErrInvalid, reason) }

// CleanName validates a POSIX name for kind dir ("shm", "mq" or "sem") and
// returns it without its leading slash. The error, for an invalid name,
// satisfies errors.Is(err, fs.ErrInvalid) and says what is wrong.
func CleanName(dir, name string) (string, error) {
	k, ok := kindOf(dir)
	if !ok {
		return "", &fs.PathError{Op: "open", Path: dir, Err: fs.ErrNotExist}
	}
	n, err := names.Clean(k, name)
	if err != nil {
		return "", invalidName(err)
	}
	return n, nil
}

// location is a parsed namespace path.
type location struct {
	dir  string // "", "shm", "mq" or "sem"
	name string // object name without slash; "" for a directory
}

// SplitPath parses a namespace path ("." , "shm", "mq/jobs") into its
// directory and object name, with the error an Open of it would return.
// It is exported for other Namespace implementations and adapters.
func SplitPath(op, p string) (dir, name string, err error) {
	l, err := parse(op, p)
	return l.dir, l.name, err
}

func parse(op, p string) (location, error) {
	if !fs.ValidPath(p) {
		return location{}, &fs.PathError{Op: op, Path: p, Err: fs.ErrInvalid}
	}
	if p == "." {
		return location{}, nil
	}
	dir, name, _ := strings.Cut(p, "/")
	k, ok := kindOf(dir)
	if !ok || strings.Contains(name, "/") {
		return location{}, &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
	}
	if name == "" {
		return location{dir: dir}, nil
	}
	if _, err := names.Clean(k, name); err != nil {
		return location{}, &fs.PathError{Op: op, Path: p, Err: invalidName(err)}
	}
	return location{dir: dir, name: name}, nil
}

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
	l, err := parse("open", p)
	if err != nil {
		return nil, err
	}
	if l.name == "" {
		if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC) != 0 {
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
		}
		return newDirFile(f, p, l.dir)
	}
	var file File
	switch l.dir {
	case "shm":
		file, err = f.OpenShm(l.name, flag, perm, 0)
	case "mq":
		file, err = f.OpenMq(l.name, flag, perm, nil)
	case "sem":
		file, err = f.OpenSem(l.name, flag, perm, 0)
	}
	if err != nil {
		return nil, relabel("open", p, err)
	}
	return file, nil
}

// OpenShm is the package-level OpenShm as a Namespace method.
func (*FS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (SharedMemory, error) {
	s, err := OpenShm(name, flag, perm, size)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// OpenMq is the package-level OpenMq as a Namespace method.
func (*FS) OpenMq(name string, flag int, perm fs.FileMode, attr *MqAttr) (MessageQueue, error) {
	q, err := OpenMq(name, flag, perm, attr)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// OpenSem is the package-level OpenSem as a Namespace method.
func (*FS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (Semaphore, error) {
	s, err := OpenSem(name, flag, perm, value)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Stat returns a FileInfo for path. Segments are regular files with their
// size and Sys() a *syscall.Stat_t; queues are fs.ModeIrregular with Size the
// bytes queued and Sys() an MqInfo; semaphores are fs.ModeIrregular with Sys()
// a SemInfo.
//
// A queue is stat'ed through a descriptor, so no mqueue mount is needed:
// one of this process's open handles of it (without opening another, whose
// close would cancel this process's Notify registration), or else a
// descriptor opened for the call, which needs read or write permission on
// the queue (fs.ErrPermission otherwise). Only when both are refused and
// /dev/mqueue is mounted for this IPC namespace does the stat come from
// there, as a listing's does, needing no permission on the queue (with
// zero attributes and size).
func (f *FS) Stat(p string) (fs.FileInfo, error) {
	l, err := parse("stat", p)
	if err != nil {
		return nil, err
	}
	if l.name == "" {
		return dirInfo(p, l.dir), nil
	}
	var fi fs.FileInfo
	switch l.dir {
	case "shm":
		fi, err = statShm(l.name)
	case "mq":
		fi, err = statMq(l.name)
	case "sem":
		fi, err = statSem(l.name)
	}
	if err != nil {
		return nil, pathError("stat", p, err)
	}
	return fi, nil
}

// ReadDir lists a directory of the namespace, sorted by name. Listing "mq"
// needs this IPC namespace's mqueue file system at /dev/mqueue
// (ErrMqueueNotMounted otherwise, also when the mount there is another IPC
// namespace's, as after unshare --ipc). Objects that vanish while listing
// are left out.
func (f *FS) ReadDir(p string) ([]fs.DirEntry, error) {
	l, err := parse("readdir", p)
	if err != nil {
		return nil, err
	}
	if l.name != "" {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: syscall.ENOTDIR}
	}
	if l.dir == "" {
		entries := make([]fs.DirEntry, len(kindDirs))
		for i, d := range kindDirs {
			entries[i] = fs.FileInfoToDirEntry(dirInfo(d, d))
		}
		return entries, nil
	}
	infos, err := listKind(l.dir)
	if err != nil {
		return nil, pathError("readdir", p, err)
	}
	entries := make([]fs.DirEntry, len(infos))
	for i, fi := range infos {
		entries[i] = fs.FileInfoToDirEntry(fi)
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// Remove unlinks the object at path (shm_unlink, mq_unlink, sem_unlink).
// Handles that are open keep working. The three directories cannot be
// removed (fs.ErrPermission).
func (f *FS) Remove(p string) error {
	l, err := parse("remove", p)
	if err != nil {
		return err
	}
	switch l.dir {
	case "":
		err = syscall.EPERM
	case "shm":
		err = RemoveShm(l.name)
	case "mq":
		err = RemoveMq(l.name)
	case "sem":
		err = RemoveSem(l.name)
	}
	if l.name == "" {
		err = syscall.EPERM
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &fs.PathError{Op: "remove", Path: p, Err: pe.Err}
		}
		return pathError("remove", p, err)
	}
	return nil
}

// CreateTemp creates a new object in dir with a random name made from
// pattern (posix_ipc's name=None), opened read-write with mode 0600: a
// zero-size segment, a queue with the system's default attributes, or a
// semaphore with value 0. Use Name() to learn the name.
func (f *FS) CreateTemp(dir, pattern string) (File, error) {
	return CreateTemp(f, dir, pattern)
}

// CreateTemp implements Namespace.CreateTemp for any Namespace ns by
// retrying OpenFile with os.O_CREATE|os.O_EXCL and fresh random names.
func CreateTemp(ns Namespace, dir, pattern string) (File, error) {
	if ns == nil {
		return nil, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrInvalid}
	}
	if _, ok := kindOf(dir); !ok {
		return nil, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrNotExist}
	}
	if strings.ContainsAny(pattern, "/\x00") {
		return nil, &fs.PathError{Op: "createtemp", Path: path.Join(dir, pattern), Err: invalidName(names.ErrSlash)}
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	const tries = 100
	for range tries {
		p := dir + "/" + prefix + randomString(12) + suffix
		file, err := ns.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			return file, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: dir + "/" + pattern, Err: fs.ErrExist}
}

func randomString(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

// Chmod changes the permission bits of the object at path. A queue is
// changed through a descriptor, as Stat describes: no mount is needed, but
// opening it needs read or write permission unless /dev/mqueue is mounted
// for this IPC namespace.
func (f *FS) Chmod(p string, mode fs.FileMode) error {
	return f.onObject("chmod", p, func(file string) error { return chmodPath(file, mode) },
		func(n string) error { return chmodMq(n, mode) })
}

// Chown changes the owner and group of the object at path (-1 leaves one
// unchanged). Queues are changed as Chmod changes them.
func (f *FS) Chown(p string, uid, gid int) error {
	return f.onObject("chown", p, func(file string) error { return chownPath(file, uid, gid) },
		func(n string) error { return chownMq(n, uid, gid) })
}

// Chtimes changes the access and modification times of the object at path.
// Queues are changed as Chmod changes them.
func (f *FS) Chtimes(p string, atime, mtime time.Time) error {
	return f.onObject("chtimes", p, func(file string) error { return chtimesPath(file, atime, mtime) },
		func(n string) error { return chtimesMq(n, atime, mtime) })
}

// onObject runs do on the host path of the segment or semaphore at p, or
// doMq on the name of the queue at p.
func (f *FS) onObject(op, p string, do func(hostPath string) error, doMq func(name string) error) error {
	l, err := parse(op, p)
	if err != nil {
		return err
	}
	if l.name == "" {
		return &fs.PathError{Op: op, Path: p, Err: syscall.EPERM}
	}
	k, _ := kindOf(l.dir)
	n, _ := names.Clean(k, l.name)
	if k == names.Mq {
		return pathError(op, p, doMq(n))
	}
	return pathError(op, p, do(names.Path(k, n)))
}

// Sub returns the namespace rooted at dir, as fs.Sub would.
func (f *FS) Sub(dir string) (fs.FS, error) {
	if dir == "." {
		return f, nil
	}
	fi, err := f.Stat(dir)
	if err != nil {
		return nil, relabel("sub", dir, err)
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: syscall.ENOTDIR}
	}
	return &subFS{ns: f, dir: dir}, nil
}

// subFS is a namespace directory as an fs.FS.
type subFS struct {
	ns  *FS
	dir string
}

func (s *subFS) full(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(s.dir, name), nil
}

func (s *subFS) fixErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case pe.Path == s.dir:
			pe.Path = "."
		case strings.HasPrefix(pe.Path, s.dir+"/"):
			pe.Path = pe.Path[len(s.dir)+1:]
		}
	}
	return err
}

func (s *subFS) Open(name string) (fs.File, error) {
	full, err := s.full("open", name)
	if err != nil {
		return nil, err
	}
	f, err := s.ns.Open(full)
	return f, s.fixErr(err)
}

func (s *subFS) ReadDir(name string) ([]fs.DirEntry, error) {
	full, err := s.full("readdir", name)
	if err != nil {
		return nil, err
	}
	d, err := s.ns.ReadDir(full)
	return d, s.fixErr(err)
}

func (s *subFS) Stat(name string) (fs.FileInfo, error) {
	full, err := s.full("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := s.ns.Stat(full)
	if err == nil && name == "." {
		fi = dirInfo(".", s.dir)
	}
	return fi, s.fixErr(err)
}

// listKind returns FileInfos for every object of one kind on the host.
func listKind(dir string) ([]fs.FileInfo, error) {
	var (
		hostDir string
		stat    func(string) (fs.FileInfo, error)
		keep    func(string) (string, bool)
	)
	switch dir {
	case "shm":
		hostDir, stat = names.ShmDir, statShm
		keep = func(n string) (string, bool) { _, err := names.Clean(names.Shm, n); return n, err == nil }
	case "sem":
		hostDir, stat = names.ShmDir, statSem
		keep = func(n string) (string, bool) {
			rest, ok := strings.CutPrefix(n, names.SemPrefix)
			return rest, ok && rest != "" && len(rest) <= names.MaxLen(names.Sem)
		}
	case "mq":
		hostDir, stat = names.MqueueDir, statMqListed
		keep = func(n string) (string, bool) { return n, true }
		if err := mqueueMount(); err != nil {
			return nil, err
		}
	}
	hostNames, err := readDirNames(hostDir)
	if err != nil {
		return nil, err
	}
	var infos []fs.FileInfo
	for _, hn := range hostNames {
		n, ok := keep(hn)
		if !ok {
			continue
		}
		fi, err := stat(n)
		if err != nil {
			continue // vanished, not ours (a directory, a symlink) or unreadable
		}
		infos = append(infos, fi)
	}
	return infos, nil
}

func readDirNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer d.Close()
	list, err := d.Readdirnames(-1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return list, nil
}
