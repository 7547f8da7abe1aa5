//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package shm

import (
	"io/fs"
	"syscall"
	"time"

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

// Unlink removes path (shm_unlink).
func Unlink(path string) error { return sys.Retry(func() error { return unix.Unlink(path) }) }

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

// Allocate reserves the bytes [off, off+n) of fd (fallocate mode 0), growing
// the file to off+n if it is shorter, so that later stores through a mapping
// find their pages present: a full tmpfs answers ENOSPC here instead of
// SIGBUS later. File systems without fallocate get a plain ftruncate.
func Allocate(fd int, off, n int64) error {
	err := sys.Retry(func() error { return unix.Fallocate(fd, 0, off, n) })
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		var st unix.Stat_t
		if err := sys.Retry(func() error { return unix.Fstat(fd, &st) }); err != nil {
			return err
		}
		if st.Size >= off+n {
			return nil
		}
		return Truncate(fd, off+n)
	}
	return err
}

// Map maps length bytes of fd from offset 0, shared, read-write when
// writable and read-only otherwise. length may exceed the file's size.
func Map(fd int, length int, writable bool) ([]byte, error) {
	prot := unix.PROT_READ
	if writable {
		prot |= unix.PROT_WRITE
	}
	return unix.Mmap(fd, 0, length, prot, unix.MAP_SHARED)
}

// Populate asks the kernel to map the pages behind b for writing now
// (madvise MADV_POPULATE_WRITE, Linux 5.14), saving one page fault per page
// on first touch. It is only a hint: errors (older kernels) are ignored.
func Populate(b []byte) {
	if len(b) > 0 {
		unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	}
}

// Unmap removes a mapping made by Map.
func Unmap(b []byte) error { return unix.Munmap(b) }

// Sync flushes a mapping made by Map (msync MS_SYNC).
func Sync(b []byte) error { return unix.Msync(b, unix.MS_SYNC) }

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
