//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sys

import (
	"io/fs"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// onHostFile runs do on a /proc/self/fd path for hostPath opened with
// O_PATH|O_NOFOLLOW, so a symlink planted under an object's name is never
// followed: a symlink gives ELOOP (what O_NOFOLLOW gives), any other file
// that is not a regular file a *NotRegularError.
func onHostFile(hostPath string, do func(procPath string) error) error {
	var fd int
	err := Retry(func() (err error) {
		fd, err = unix.Open(hostPath, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := Retry(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFLNK:
		return unix.ELOOP
	default:
		return &NotRegularError{Type: TypeMode(st.Mode)}
	}
	p := "/proc/self/fd/" + strconv.Itoa(fd)
	return Retry(func() error { return do(p) })
}

// Chmod sets the permission bits of the regular file hostPath (chmod),
// without following a symlink.
func Chmod(hostPath string, mode fs.FileMode) error {
	return onHostFile(hostPath, func(p string) error { return unix.Chmod(p, uint32(mode.Perm())) })
}

// Chown sets the owner and group of the regular file hostPath (chown; -1
// leaves one unchanged), without following a symlink.
func Chown(hostPath string, uid, gid int) error {
	return onHostFile(hostPath, func(p string) error { return unix.Chown(p, uid, gid) })
}

// Chtimes sets the access and modification times of the regular file
// hostPath (utimensat), without following a symlink.
func Chtimes(hostPath string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return onHostFile(hostPath, func(p string) error { return unix.UtimesNano(p, ts) })
}

// FdTableFull reports whether this process cannot open another descriptor,
// to tell RLIMIT_NOFILE from another limit behind an EMFILE.
func FdTableFull() bool {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err == unix.EMFILE
	}
	unix.Close(fd)
	return false
}
