package backend

import (
	"io/fs"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// NewFileInfo returns an fs.FileInfo with the given fields. For an object,
// mode is fs.ModeIrregular plus the permission bits for a queue or a
// semaphore and the permission bits alone for a segment, and size is the
// segment's length, the bytes of the queue's messages or the semaphore's
// value, as the host namespace reports them.
func NewFileInfo(name string, size int64, mode fs.FileMode, modTime time.Time, sys any) fs.FileInfo {
	return kind.NewInfo(name, size, mode, modTime, sys)
}

// DirInfo returns the FileInfo of a namespace directory: name is its base
// name ("." for the root), dir its kind ("shm", "mq", "sem", or "" for the
// root). Directories are fs.ModeDir|fs.ModeSticky|0777, as /dev/shm is; the
// root is fs.ModeDir|0555.
func DirInfo(name, dir string) fs.FileInfo {
	k, _ := kind.Lookup(dir)
	return kind.DirInfo(name, k)
}
