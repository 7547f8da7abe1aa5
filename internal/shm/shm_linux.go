//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package shm

import (
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/edsrzf/mmap-go"
	"github.com/ipcfs/ipcfs/internal/sys"
	"golang.org/x/sys/unix"
)

// Open opens path as glibc's shm_open does: flag (O_RDONLY or O_RDWR, plus
// O_CREAT, O_EXCL, O_TRUNC) with O_NOFOLLOW and O_CLOEXEC added, perm
// passed to the kernel so the umask applies. The file is opened with
// O_NONBLOCK so that a FIFO planted under the name cannot block the open;
// the flag is cleared again before Open returns.
func Open(path string, flag int, perm uint32) (int, error) {
	var fd int
	err := sys.Retry(func() (err error) {
		fd, err = unix.Open(path, flag|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, perm)
		return err
	})
	if err != nil {
		return -1, err
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl&^unix.O_NONBLOCK)
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// Close closes fd.
func Close(fd int) error { return unix.Close(fd) }

// Unlink removes path (shm_unlink); EPERM (another user's file in the
// sticky /dev/shm) becomes EACCES, as glibc's shm_unlink reports it.
func Unlink(path string) error {
	return sys.UnlinkErrno(sys.Retry(func() error { return unix.Unlink(path) }))
}

// Fstat stats the open file fd.
func Fstat(fd int) (Info, error) {
	var st syscall.Stat_t
	if err := sys.Retry(func() error { return syscall.Fstat(fd, &st) }); err != nil {
		return Info{}, err
	}
	return info(&st), nil
}

// Lstat stats path without following a symlink.
func Lstat(path string) (Info, error) {
	var st syscall.Stat_t
	if err := sys.Retry(func() error { return syscall.Lstat(path, &st) }); err != nil {
		return Info{}, err
	}
	return info(&st), nil
}

// Truncate sets the size of fd (ftruncate).
func Truncate(fd int, size int64) error {
	return sys.Retry(func() error { return unix.Ftruncate(fd, size) })
}

// Reserve allocates the pages of [off, off+n) of fd without changing its
// size (fallocate with FALLOC_FL_KEEP_SIZE), so that later stores find
// their pages present: a full tmpfs answers ENOSPC here, with nothing
// changed, instead of SIGBUS (through a mapping) or a short write later.
// File systems without fallocate reserve nothing and return nil.
func Reserve(fd int, off, n int64) error {
	err := sys.Retry(func() error { return unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, off, n) })
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		return nil
	}
	return err
}

// WriteAt writes b to fd at off (pwrite), growing the file if it ends past
// its size; the kernel extends the size only over bytes it has stored. It
// returns how many bytes it wrote, and an error if that is fewer than
// len(b) (ENOSPC, or EFAULT when b itself faults).
func WriteAt(fd int, b []byte, off int64) (int, error) {
	var done int
	for done < len(b) {
		var n int
		err := sys.Retry(func() (err error) {
			n, err = unix.Pwrite(fd, b[done:], off+int64(done))
			return err
		})
		if err != nil {
			return done, err
		}
		if n == 0 {
			return done, unix.EIO
		}
		done += n
	}
	return done, nil
}

// Map maps length bytes of f from offset 0, shared (MAP_SHARED), read-write
// when writable and read-only otherwise, through mmap-go's MapRegion.
// length may exceed the file's size. f must stay open while the mapping is
// used; the mapping outlives neither Unmap nor the process.
func Map(f *os.File, length int, writable bool) ([]byte, error) {
	prot := mmap.RDONLY
	if writable {
		prot = mmap.RDWR
	}
	m, err := mmap.MapRegion(f, length, prot, 0, 0)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Unmap removes a mapping made by Map; b must be the whole slice Map
// returned.
func Unmap(b []byte) error {
	m := mmap.MMap(b)
	return m.Unmap()
}

// Sync flushes a mapping made by Map (msync MS_SYNC, mmap-go's Flush).
func Sync(b []byte) error { return mmap.MMap(b).Flush() }

func info(st *syscall.Stat_t) Info {
	mode := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if st.Mode&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if st.Mode&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if st.Mode&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return Info{
		Size:    st.Size,
		Mode:    mode,
		ModTime: time.Unix(st.Mtim.Unix()),
		Sys:     st,
	}
}
