package ipcfs

// Names that moved: the plumbing for namespace implementations is in
// package backend. They stay here, deprecated, so code written against
// them keeps compiling.

import (
	"io/fs"
	"time"

	"github.com/ipcfs/ipcfs/backend"
)

// CleanName validates a POSIX name for kind dir ("shm", "mq" or "sem") and
// returns it without its leading slash.
//
// Deprecated: Use backend.CleanName.
func CleanName(dir, name string) (string, error) { return backend.CleanName(dir, name) }

// SplitPath parses a namespace path into its directory and object name.
//
// Deprecated: Use backend.SplitPath.
func SplitPath(op, p string) (dir, name string, err error) { return backend.SplitPath(op, p) }

// NewFileInfo returns an fs.FileInfo with the given fields.
//
// Deprecated: Use backend.NewFileInfo.
func NewFileInfo(name string, size int64, mode fs.FileMode, modTime time.Time, sys any) fs.FileInfo {
	return backend.NewFileInfo(name, size, mode, modTime, sys)
}

// DirInfo returns the FileInfo of a namespace directory.
//
// Deprecated: Use backend.DirInfo.
func DirInfo(name, dir string) fs.FileInfo { return backend.DirInfo(name, dir) }

// DirFile is an open namespace directory.
//
// Deprecated: Use backend.DirFile.
type DirFile = backend.DirFile

// NewDirFile returns an open directory at path with the given entries.
//
// Deprecated: Use backend.NewDirFile.
func NewDirFile(path string, info fs.FileInfo, entries []fs.DirEntry) *DirFile {
	return backend.NewDirFile(path, info, entries)
}
