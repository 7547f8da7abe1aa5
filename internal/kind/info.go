package kind

import (
	"io/fs"
	"time"
)

// DirMode is the mode of the namespace's directories: like /dev/shm and
// /dev/mqueue, anyone may create objects in them.
const DirMode = fs.ModeDir | fs.ModeSticky | 0o777

// RootMode is the mode of a namespace's root, which holds only the three
// directories.
const RootMode = fs.ModeDir | 0o555

// info is an fs.FileInfo made of plain values.
type info struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
	sys     any
}

func (i *info) Name() string       { return i.name }
func (i *info) Size() int64        { return i.size }
func (i *info) Mode() fs.FileMode  { return i.mode }
func (i *info) ModTime() time.Time { return i.modTime }
func (i *info) IsDir() bool        { return i.mode.IsDir() }
func (i *info) Sys() any           { return i.sys }

// NewInfo returns an fs.FileInfo with the given fields.
func NewInfo(name string, size int64, mode fs.FileMode, modTime time.Time, sys any) fs.FileInfo {
	return &info{name: name, size: size, mode: mode, modTime: modTime, sys: sys}
}

// Info returns the FileInfo every namespace gives for the object of kind k
// named name (its clean name): a regular file, as the host's own files of
// every kind are (/dev/shm/NAME, /dev/shm/sem.NAME, /dev/mqueue/NAME), with
// the permission, setuid, setgid and sticky bits of mode. size is a
// segment's length; for the kinds whose reads consume, use StatusInfo.
func (k *Kind) Info(name string, size int64, mode fs.FileMode, modTime time.Time, sys any) fs.FileInfo {
	return NewInfo(name, size, mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky), modTime, sys)
}

// A Statuser is the Sys value of a queue's or a semaphore's FileInfo
// (ipcfs.MqInfo, ipcfs.SemInfo): it gives the object's status text.
type Statuser interface {
	// Status returns the text a look-only open of the object reads.
	Status() string
}

// StatusInfo returns the FileInfo every namespace gives for a queue or a
// semaphore (k.Consumes) named name: as Info, with Sys sys and Size the
// length of sys.Status(), the text that opening the object to look
// (fs.FS's Open) reads. So Stat and what a look-only file reads agree, as
// testing/fstest.TestFS and http.FileServer need.
func (k *Kind) StatusInfo(name string, mode fs.FileMode, modTime time.Time, sys Statuser) fs.FileInfo {
	return k.Info(name, int64(len(sys.Status())), mode, modTime, sys)
}

// DirInfo returns the FileInfo of the root (k nil) or of k's directory,
// named name (its base name: "." for a root, "shm" for a directory).
func DirInfo(name string, k *Kind) fs.FileInfo {
	mode := fs.FileMode(DirMode)
	if k == nil {
		mode = RootMode
	}
	return &info{name: baseName(name), mode: mode}
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
