//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"io/fs"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sys"
	"golang.org/x/sys/unix"
)

// openFile opens or creates the semaphore file at path as glibc 2.39+ does
// (sem_open): without create && excl it opens an existing file
// (O_RDWR|O_NOFOLLOW|O_CLOEXEC); with create, when the file is missing, it
// makes a complete semaphore of value and links it into place under path,
// so no process ever sees a half-made semaphore (create1). perm goes to
// open(2), so the umask applies. The file it returns has been checked to
// hold a semaphore: errors are raw errnos, or errors wrapping
// ErrNotSemaphore for a file in the wrong format (checked with pread,
// before anything maps it, so a short file is an error, not SIGBUS).
func openFile(path string, create, excl bool, perm uint32, value uint32) (int, fileKey, error) {
	const tries = 100
	for range tries {
		if !(create && excl) {
			fd, err := openRetry(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err == nil {
				return checkFile(fd)
			}
			if !create || err != unix.ENOENT {
				return -1, fileKey{}, err
			}
		}
		fd, err := create1(path, perm, value)
		if err == unix.EEXIST && !excl {
			continue // lost a creation race: open the winner's file
		}
		if err != nil {
			return -1, fileKey{}, err
		}
		var st unix.Stat_t
		if err := fstatRetry(fd, &st); err != nil {
			unix.Close(fd)
			return -1, fileKey{}, err
		}
		return fd, keyOf(&st), nil
	}
	return -1, fileKey{}, ErrLostRace
}

func openRetry(path string, flag int, perm uint32) (fd int, err error) {
	err = sys.Retry(func() (err error) {
		fd, err = unix.Open(path, flag, perm)
		return err
	})
	return fd, err
}

func fstatRetry(fd int, st *unix.Stat_t) error {
	return sys.Retry(func() error { return unix.Fstat(fd, st) })
}

// checkFile checks that fd is a regular file holding a semaphore and
// returns its key; fd is closed on error.
func checkFile(fd int) (int, fileKey, error) {
	var st unix.Stat_t
	if err := fstatRetry(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fileKey{}, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < Size {
		unix.Close(fd)
		return -1, fileKey{}, NotSemaphore(sys.TypeMode(st.Mode), st.Size)
	}
	var head [Size]byte
	n, err := preadRetry(fd, head[:])
	if err == nil {
		err = Validate(head[:n])
	}
	if err != nil {
		unix.Close(fd)
		return -1, fileKey{}, err
	}
	return fd, keyOf(&st), nil
}

// closeFd closes a descriptor openFile returned.
func closeFd(fd int) { unix.Close(fd) }

func preadRetry(fd int, b []byte) (n int, err error) {
	err = sys.Retry(func() (err error) {
		n, err = unix.Pread(fd, b, 0)
		return err
	})
	return n, err
}

// noTmpfile makes create1 use glibc's named temporary file even where
// O_TMPFILE works: for tests of that fallback.
var noTmpfile atomic.Bool

// create1 makes one attempt at creating the semaphore at path and returns
// its descriptor. The semaphore is written whole into a file without a name
// (O_TMPFILE in the same directory) and then linked to path with linkat
// through /proc/self/fd, which fails with EEXIST if path exists, exactly as
// glibc's link of its temporary file does; a process killed at any point of
// it leaves nothing behind. Where O_TMPFILE or that linkat is refused
// (file systems without O_TMPFILE, kernels before 3.11, no /proc), it falls
// back to glibc's method: a named temporary file, link, unlink.
func create1(path string, perm uint32, value uint32) (int, error) {
	if !noTmpfile.Load() {
		fd, err := createUnnamed(path, perm, value)
		if err != errTmpfileRefused {
			return fd, err
		}
	}
	return createNamed(path, perm, value)
}

// errTmpfileRefused says O_TMPFILE creation cannot work here.
var errTmpfileRefused = syscall.EOPNOTSUPP

func createUnnamed(path string, perm uint32, value uint32) (int, error) {
	fd, err := openRetry(filepath.Dir(path), unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, perm)
	switch err {
	case nil:
	case unix.EOPNOTSUPP, unix.EISDIR, unix.EINVAL:
		return -1, errTmpfileRefused
	default:
		return -1, err
	}
	if err := writeAll(fd, Image(value)); err != nil {
		unix.Close(fd)
		return -1, err
	}
	err = sys.Retry(func() error {
		return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	})
	if err == unix.ENOENT {
		// No /proc here (or the directory went away, which the named
		// method reports as well).
		unix.Close(fd)
		return -1, errTmpfileRefused
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// createNamed is glibc's method: a temporary file sem.XXXXXX next to path,
// written whole, linked to path and unlinked. A process killed between the
// open and the unlink leaves the temporary file behind, as glibc does.
func createNamed(path string, perm uint32, value uint32) (int, error) {
	var (
		tmp string
		fd  int
		err error
	)
	dir := filepath.Dir(path) + "/"
	for range 50 {
		tmp = dir + "sem." + kind.RandomName(6)
		fd, err = openRetry(tmp, unix.O_CREAT|unix.O_EXCL|unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
		if err != unix.EEXIST {
			break
		}
	}
	if err == unix.EEXIST {
		return -1, unix.EAGAIN
	}
	if err != nil {
		return -1, err
	}
	defer unix.Unlink(tmp)
	if err := writeAll(fd, Image(value)); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := sys.Retry(func() error { return unix.Link(tmp, path) }); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		var n int
		err := sys.Retry(func() (err error) {
			n, err = unix.Write(fd, b)
			return err
		})
		if err != nil {
			return err
		}
		if n == 0 {
			return unix.EIO
		}
		b = b[n:]
	}
	return nil
}

// Unlink removes the semaphore file at path (sem_unlink); EPERM (another
// user's file in the sticky /dev/shm) becomes EACCES, as in glibc.
func Unlink(path string) error {
	return sys.UnlinkErrno(sys.Retry(func() error { return unix.Unlink(path) }))
}

// keyOf returns the key of the file st describes.
func keyOf(st *unix.Stat_t) fileKey {
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}
}

func info(st *syscall.Stat_t) Info {
	return Info{Perm: fs.FileMode(st.Mode).Perm(), ModTime: time.Unix(st.Mtim.Unix()), Sys: st}
}

// Peek returns what stat says of the semaphore file at path and its value
// and nwaiters, read with pread (the file is not mapped). A file that
// cannot be opened for reading (no permission) gives its stat and ok ==
// false. Symlinks are
// never followed (ELOOP); a file not in the semaphore format gives an
// error wrapping ErrNotSemaphore.
func Peek(path string) (in Info, state State, ok bool, err error) {
	st := new(syscall.Stat_t)
	fd, err := openRetry(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err == unix.EACCES {
		if err = sys.Retry(func() error { return syscall.Lstat(path, st) }); err != nil {
			return info(st), State{}, false, err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < Size {
			return info(st), State{}, false, NotSemaphore(sys.TypeMode(st.Mode), st.Size)
		}
		return info(st), State{}, false, nil
	}
	if err != nil {
		return info(st), State{}, false, err
	}
	defer unix.Close(fd)
	if err := sys.Retry(func() error { return syscall.Fstat(fd, st) }); err != nil {
		return info(st), State{}, false, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return info(st), State{}, false, NotSemaphore(sys.TypeMode(st.Mode), st.Size)
	}
	head := make([]byte, Size)
	n, err := preadRetry(fd, head)
	if err != nil {
		return info(st), State{}, false, err
	}
	if _, err := Host.Parse(head[:n]); err != nil {
		return info(st), State{}, false, err
	}
	return info(st), Host.Decode(head), true, nil
}
