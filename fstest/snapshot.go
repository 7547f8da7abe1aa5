package fstest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"testing/fstest"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// Snapshot returns a frozen, read-only copy of ns: a testing/fstest.MapFS
// with the directories "shm", "mq" and "sem" and one regular file per
// object, which passes testing/fstest.TestFS and can be copied to disk with
// os.CopyFS. The snapshot is taken object by object (ns has no atomic
// view); it never changes afterwards.
//
//   - shm/NAME holds the segment's bytes (read with ReadAt, which takes
//     nothing from anyone).
//   - mq/NAME holds the queue's status text, what the live namespace's Open
//     reads (ipcfs.MqInfo.Status), one "key value" per line:
//     "max_messages 10\nmessage_size 8192\ncurrent_messages 2\nbytes
//     14\n". Messages are not copied: the only way to read a message is to
//     receive, and so remove, it.
//   - sem/NAME holds its status text, "value 3\nwaiters 0\n".
//
// Each file keeps its object's permission bits and modification time; Sys
// is the ipcfs.MqInfo or ipcfs.SemInfo for queues and semaphores. Queue and
// semaphore values come from ns.Stat, so nothing is opened or consumed.
//
// A snapshot holds every byte in memory, so it keeps at most a budget of
// content, DefaultSnapshotBudget (256 MiB) unless SnapshotBudget says
// otherwise: a segment larger than what remains of it (or than
// SnapshotMaxSegment) is left out without being read, whatever its size on
// disk (a sparse segment costs its creator nothing, and anyone may create
// one). Also left out: objects that vanish while the snapshot is taken or
// that the caller may not read, and objects whose names are not valid io/fs
// path elements (not UTF-8; see ipcfs.Unlister). SnapshotSkipped reports
// each object left out and why. A segment resized while it is read is read
// again (a few times, then its error is returned). A directory ns cannot
// list for lack of support (the host's "mq" without /dev/mqueue:
// errors.ErrUnsupported) is left empty.
//
// The live namespace only looks too (its Open never receives or acquires),
// but what it shows changes whenever a process uses an object; take a
// Snapshot where content must stay put while it is read twice, as
// testing/fstest.TestFS and a copy that must be consistent do.
func Snapshot(ns ipcfs.Namespace, opts ...SnapshotOption) (fstest.MapFS, error) {
	o := snapshotOptions{budget: DefaultSnapshotBudget, skipped: func(string, error) {}}
	for _, opt := range opts {
		opt(&o)
	}
	s := &snapshotter{ns: ns, opts: o, left: o.budget}
	snap := fstest.MapFS{}
	for _, k := range kind.All {
		snap[k.Dir] = &fstest.MapFile{Mode: fs.ModeDir | 0o555}
		entries, err := ns.ReadDir(k.Dir)
		if errors.Is(err, errors.ErrUnsupported) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			p := k.Dir + "/" + e.Name()
			if !fs.ValidPath(p) {
				o.skipped(p, &fs.PathError{Op: "snapshot", Path: p, Err: ErrUnlisted})
				continue
			}
			f, err := s.object(k, e.Name())
			if snapshotSkips(err) {
				o.skipped(p, err)
				continue
			}
			if err != nil {
				return nil, err
			}
			snap[p] = f
		}
		if u, ok := ns.(ipcfs.Unlister); ok {
			unlisted, _ := u.Unlisted(k.Dir)
			for _, e := range unlisted {
				p := k.Dir + "/" + e.Name()
				o.skipped(p, &fs.PathError{Op: "snapshot", Path: p, Err: ErrUnlisted})
			}
		}
	}
	return snap, nil
}

// DefaultSnapshotBudget is the most content, in bytes, that Snapshot keeps
// unless SnapshotBudget says otherwise.
const DefaultSnapshotBudget = 256 << 20

// SnapshotMaxSegment is the size of the largest segment Snapshot copies,
// whatever its budget.
const SnapshotMaxSegment = 1 << 30

// ErrOverBudget is why Snapshot leaves out an object whose content does not
// fit in what remains of its budget (a segment is then never read).
var ErrOverBudget = errors.New("larger than what remains of the snapshot's memory budget")

// ErrUnlisted is why Snapshot leaves out an object whose name is not a
// valid io/fs path element, so that no path of the snapshot could name it
// (see ipcfs.Unlister). errors.Is(err, fs.ErrInvalid) holds.
var ErrUnlisted = fmt.Errorf("%w: the name is not a valid io/fs path element (not UTF-8); reach it by POSIX name", fs.ErrInvalid)

// errNoStatus is why Snapshot leaves out a queue or a semaphore whose
// FileInfo.Sys has no status text (not an ipcfs.MqInfo or ipcfs.SemInfo):
// its file would have no content to hold.
var errNoStatus = fmt.Errorf("%w: no status text in its FileInfo.Sys (want an ipcfs.MqInfo or ipcfs.SemInfo)", errors.ErrUnsupported)

// A SnapshotOption changes what Snapshot keeps or tells.
type SnapshotOption func(*snapshotOptions)

type snapshotOptions struct {
	budget  int64
	skipped func(path string, err error)
}

// SnapshotBudget sets the most content, in bytes, Snapshot keeps: the
// segments' bytes and the queues' and semaphores' text together (0 keeps
// directories only). An object that does not fit in what remains is left
// out, and a segment is then never read.
func SnapshotBudget(bytes int64) SnapshotOption {
	return func(o *snapshotOptions) { o.budget = max(bytes, 0) }
}

// SnapshotSkipped has Snapshot call report for every object it leaves out,
// with its path ("shm/NAME"; for a name that is not valid UTF-8, the raw
// bytes) and why: an error matching ErrOverBudget, ErrUnlisted,
// fs.ErrNotExist (it vanished), fs.ErrPermission (the caller may not read
// it) or errors.ErrUnsupported (a queue or semaphore of a third-party
// namespace whose Stat gives no status text). report runs on the caller's goroutine, before Snapshot returns.
func SnapshotSkipped(report func(path string, err error)) SnapshotOption {
	return func(o *snapshotOptions) {
		if report != nil {
			o.skipped = report
		}
	}
}

// snapshotSkips reports whether err leaves an object out of the snapshot
// rather than failing it.
func snapshotSkips(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, ErrOverBudget) || errors.Is(err, fs.ErrInvalid) || errors.Is(err, errNoStatus)
}

// snapshotter is one Snapshot in progress.
type snapshotter struct {
	ns   ipcfs.Namespace
	opts snapshotOptions
	left int64 // of the budget
}

func (s *snapshotter) object(k *kind.Kind, name string) (*fstest.MapFile, error) {
	fi, err := s.ns.Stat(k.Dir + "/" + name)
	if err != nil {
		return nil, err
	}
	data, sys, err := snapshotData[k.ID](s, name, fi)
	if err == errNoStatus {
		return nil, &fs.PathError{Op: "snapshot", Path: k.Dir + "/" + name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if err := s.take(k.Dir+"/"+name, int64(len(data))); err != nil {
		return nil, err
	}
	return &fstest.MapFile{Data: data, Mode: fi.Mode().Perm(), ModTime: fi.ModTime(), Sys: sys}, nil
}

// fits returns the error for n bytes of the object at p that do not fit in
// what remains of the budget.
func (s *snapshotter) fits(p string, n int64) error {
	if n > s.left || n > SnapshotMaxSegment {
		return &fs.PathError{Op: "snapshot", Path: p, Err: fmt.Errorf("%w: %d bytes, %d of %d left", ErrOverBudget, n, s.left, s.opts.budget)}
	}
	return nil
}

// take spends n bytes of the budget on the object at p.
func (s *snapshotter) take(p string, n int64) error {
	if err := s.fits(p, n); err != nil {
		return err
	}
	s.left -= n
	return nil
}

// snapshotData is Snapshot's column of the kind table: the content and Sys
// of an object's file, from its FileInfo fi.
var snapshotData = [kind.Count]func(s *snapshotter, name string, fi fs.FileInfo) ([]byte, any, error){
	kind.ShmID: func(s *snapshotter, name string, fi fs.FileInfo) ([]byte, any, error) {
		data, err := s.readShm(name, fi.Size())
		return data, nil, err
	},
	kind.MqID:  statusData,
	kind.SemID: statusData,
}

// statusData is the content of a queue's or a semaphore's file: its status
// text, what the live namespace's Open reads.
func statusData(_ *snapshotter, _ string, fi fs.FileInfo) ([]byte, any, error) {
	st, ok := fi.Sys().(kind.Statuser)
	if !ok {
		return nil, nil, errNoStatus
	}
	return []byte(st.Status()), fi.Sys(), nil
}

// readShm reads a whole segment, of size bytes when it was stat'ed,
// starting over if it is resized meanwhile. It reads nothing of a segment
// that does not fit in what remains of the budget, and never more than it
// keeps.
func (s *snapshotter) readShm(name string, size int64) ([]byte, error) {
	p := kind.Shm.Dir + "/" + name
	if err := s.fits(p, size); err != nil {
		return nil, err
	}
	shm, err := s.ns.OpenShm(name, os.O_RDONLY, 0, 0)
	if err != nil {
		return nil, err
	}
	defer shm.Close()
	const tries = 5
	for i := 0; ; i++ {
		size, err := shm.Size()
		if err != nil {
			return nil, err
		}
		if err := s.fits(p, size); err != nil {
			return nil, err
		}
		data := make([]byte, size)
		n, err := shm.ReadAt(data, 0)
		if err == nil || err == io.EOF && i == tries-1 {
			return data[:n], nil // io.EOF: shrank meanwhile, keep what was there
		}
		if i == tries-1 {
			return nil, err
		}
	}
}
