package fstest

import (
	"errors"
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
// Objects that vanish while the snapshot is taken, or that the caller may
// not read, are left out, and so are segments larger than
// SnapshotMaxSegment (a snapshot holds every byte in memory); a segment resized while it is read is read again
// (a few times, then its error is returned). A
// directory ns cannot list for lack of support (the host's "mq" without
// /dev/mqueue: errors.ErrUnsupported) is left empty.
//
// The live namespace only looks too (its Open never receives or acquires),
// but what it shows changes whenever a process uses an object; take a
// Snapshot where content must stay put while it is read twice, as
// testing/fstest.TestFS and a copy that must be consistent do.
func Snapshot(ns ipcfs.Namespace) (fstest.MapFS, error) {
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
			f, err := snapshotObject(ns, k, e.Name())
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || err == errSnapshotSkip {
				continue
			}
			if err != nil {
				return nil, err
			}
			snap[k.Dir+"/"+e.Name()] = f
		}
	}
	return snap, nil
}

// SnapshotMaxSegment is the size of the largest segment Snapshot copies.
const SnapshotMaxSegment = 1 << 30

// errSnapshotSkip marks an object Snapshot leaves out.
var errSnapshotSkip = errors.New("left out of the snapshot")

func snapshotObject(ns ipcfs.Namespace, k *kind.Kind, name string) (*fstest.MapFile, error) {
	fi, err := ns.Stat(k.Dir + "/" + name)
	if err != nil {
		return nil, err
	}
	data, sys, err := snapshotData[k.ID](ns, name, fi)
	if err != nil {
		return nil, err
	}
	return &fstest.MapFile{Data: data, Mode: fi.Mode().Perm(), ModTime: fi.ModTime(), Sys: sys}, nil
}

// snapshotData is Snapshot's column of the kind table: the content and Sys
// of an object's file, from its FileInfo fi.
var snapshotData = [kind.Count]func(ns ipcfs.Namespace, name string, fi fs.FileInfo) ([]byte, any, error){
	kind.ShmID: func(ns ipcfs.Namespace, name string, fi fs.FileInfo) ([]byte, any, error) {
		if fi.Size() > SnapshotMaxSegment {
			return nil, nil, errSnapshotSkip
		}
		data, err := readShm(ns, name)
		return data, nil, err
	},
	kind.MqID:  statusData,
	kind.SemID: statusData,
}

// statusData is the content of a queue's or a semaphore's file: its status
// text, what the live namespace's Open reads.
func statusData(_ ipcfs.Namespace, _ string, fi fs.FileInfo) ([]byte, any, error) {
	st, ok := fi.Sys().(kind.Statuser)
	if !ok {
		return nil, nil, errSnapshotSkip
	}
	return []byte(st.Status()), fi.Sys(), nil
}

// readShm reads a whole segment, starting over if it is resized meanwhile.
func readShm(ns ipcfs.Namespace, name string) ([]byte, error) {
	shm, err := ns.OpenShm(name, os.O_RDONLY, 0, 0)
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
