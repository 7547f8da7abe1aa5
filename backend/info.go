package backend

import (
	"io/fs"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// NewFileInfo returns an fs.FileInfo with the given fields. For an object,
// mode is the permission bits alone (every object is a regular file, as its
// host file is), size is a segment's length or the length of a queue's or
// a semaphore's status text (sys.Status(), with sys the ipcfs.MqInfo or
// ipcfs.SemInfo), as the host namespace reports them: what Open reads.
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
