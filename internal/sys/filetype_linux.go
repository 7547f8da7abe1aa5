package sys

import (
	"io/fs"
	"syscall"
)

// TypeMode returns the fs.FileMode type bits of a raw st_mode.
func TypeMode(mode uint32) fs.FileMode {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return 0
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

// OpenRefused reports whether err is how open(2) refuses a file for its
// type (EISDIR: a directory opened for writing; ENXIO: a socket), and then
// returns the type of the file at path (not following a symlink).
func OpenRefused(path string, err error) (fs.FileMode, bool) {
	if err != syscall.EISDIR && err != syscall.ENXIO {
		return 0, false
	}
	var st syscall.Stat_t
	if err := Retry(func() error { return syscall.Lstat(path, &st) }); err != nil {
		return 0, false
	}
	t := TypeMode(st.Mode)
	return t, t != 0
}
