package ipcfs

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ipcfs/ipcfs/internal/names"

	"golang.org/x/sys/unix"
)

// mqueueMagic is the mqueue file system's statfs magic number.
const mqueueMagic = 0x19800202

// onHostFile runs do on a /proc/self/fd path for hostPath opened with
// O_PATH|O_NOFOLLOW, so a symlink planted under an object's name is never
// followed. A path under /dev/mqueue needs this IPC namespace's mount there.
func onHostFile(hostPath string, do func(procPath string) error) error {
	if strings.HasPrefix(hostPath, names.MqueueDir) {
		if err := mqueueMount(); err != nil {
			return err
		}
	}
	fd, err := unix.Open(hostPath, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return unix.ELOOP
	}
	return do("/proc/self/fd/" + strconv.Itoa(fd))
}

func chmodPath(hostPath string, mode fs.FileMode) error {
	return onHostFile(hostPath, func(p string) error { return unix.Chmod(p, uint32(mode.Perm())) })
}

func chownPath(hostPath string, uid, gid int) error {
	return onHostFile(hostPath, func(p string) error { return unix.Chown(p, uid, gid) })
}

func chtimesPath(hostPath string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return onHostFile(hostPath, func(p string) error { return unix.UtimesNano(p, ts) })
}

// fdTableFull reports whether this process cannot open another descriptor
// (to tell RLIMIT_NOFILE from RLIMIT_MSGQUEUE behind EMFILE).
func fdTableFull() bool {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err == unix.EMFILE
	}
	unix.Close(fd)
	return false
}
