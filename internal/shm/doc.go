// Package shm holds the Linux mechanics of POSIX shared memory for package
// ipcfs: opening /dev/shm files the way glibc's shm_open does, sizing them,
// mapping them, and turning a fault on a mapping (the segment shrank under
// it, or tmpfs ran out of space) into an error instead of a crash.
//
// Every function returns the raw syscall.Errno, with EINTR retried
// (sys.Retry). On systems other than Linux every call fails with
// errors.ErrUnsupported.
package shm

import (
	"io/fs"
	"time"
)

// Info is what Fstat and Lstat report about a file.
type Info struct {
	// Size is the file's size in bytes (st_size).
	Size int64
	// Mode holds the permission bits, the setuid, setgid and sticky bits and
	// the file type, as fs.FileMode spells them.
	Mode fs.FileMode
	// ModTime is the last modification time (st_mtim).
	ModTime time.Time
	// Sys is the raw stat (*syscall.Stat_t on Linux).
	Sys any
}
