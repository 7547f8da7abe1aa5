package sem

import (
	"io/fs"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sys"
	"golang.org/x/sys/unix"
)

// Mapping is an open semaphore: its 32-byte shared mapping and the file
// descriptor it came from (kept for Stat).
type Mapping struct {
	Mem      []byte
	Fd       int
	fdClosed atomic.Bool
}

// Word returns the semaphore in the mapping.
func (m *Mapping) Word() Word { return NewWord(m.Mem) }

// Close unmaps the semaphore and closes its descriptor, unless CloseFd
// already closed it. The Word must not be used afterwards.
func (m *Mapping) Close() error {
	err := unix.Munmap(m.Mem)
	if !m.fdClosed.Swap(true) {
		if cerr := unix.Close(m.Fd); err == nil {
			err = cerr
		}
	}
	m.Mem = nil
	return err
}

// CloseFd closes the descriptor only; the mapping stays until Close.
func (m *Mapping) CloseFd() error {
	if m.fdClosed.Swap(true) {
		return nil
	}
	return unix.Close(m.Fd)
}

// Stat returns what fstat says of the semaphore's file.
func (m *Mapping) Stat() (Info, error) {
	st := new(syscall.Stat_t)
	if err := sys.Retry(func() error { return syscall.Fstat(m.Fd, st) }); err != nil {
		return Info{}, err
	}
	return info(st), nil
}

func info(st *syscall.Stat_t) Info {
	return Info{Perm: fs.FileMode(st.Mode).Perm(), ModTime: time.Unix(st.Mtim.Unix()), Sys: st}
}

// Open opens or creates the semaphore file at path as glibc 2.39+ does
// (sem_open): without O_CREATE|O_EXCL it opens an existing file
// (O_RDWR|O_NOFOLLOW|O_CLOEXEC); with O_CREATE, when the file is missing, it
// writes a complete semaphore of value into a temporary file next to it and
// links that into place, so no process ever sees a half-made semaphore. perm
// goes to open(2), so the umask applies. Errors are raw errnos, or errors
// wrapping ErrNotSemaphore for a file in the wrong format (checked before
// any access to the mapping, so a short file is an error, not SIGBUS).
func Open(path string, create, excl bool, perm uint32, value uint32) (*Mapping, error) {
	const tries = 100
	for range tries {
		if !(create && excl) {
			fd, err := openRetry(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err == nil {
				return mapExisting(fd)
			}
			if !create || err != unix.ENOENT {
				return nil, err
			}
		}
		m, err := create1(path, perm, value)
		if err == unix.EEXIST && !excl {
			continue // lost a creation race: open the winner's file
		}
		return m, err
	}
	return nil, ErrLostRace
}

func openRetry(path string, flag int, perm uint32) (fd int, err error) {
	err = sys.Retry(func() (err error) {
		fd, err = unix.Open(path, flag, perm)
		return err
	})
	return fd, err
}

// mapExisting checks fd holds a semaphore and maps it; fd is closed on error.
func mapExisting(fd int) (*Mapping, error) {
	var st unix.Stat_t
	if err := sys.Retry(func() error { return unix.Fstat(fd, &st) }); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < Size {
		unix.Close(fd)
		return nil, NotSemaphore(sys.TypeMode(st.Mode), st.Size)
	}
	mem, err := unix.Mmap(fd, 0, Size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	// The size was checked, so reading the mapping is safe (unless another
	// process truncates the file now, which would crash C users too).
	head := make([]byte, Size)
	copy(head, mem)
	if err := Validate(head); err != nil {
		unix.Munmap(mem)
		unix.Close(fd)
		return nil, err
	}
	return &Mapping{Mem: mem, Fd: fd}, nil
}

// create1 makes one attempt at creating the semaphore at path.
func create1(path string, perm uint32, value uint32) (*Mapping, error) {
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
		return nil, unix.EAGAIN
	}
	if err != nil {
		return nil, err
	}
	defer unix.Unlink(tmp)
	if err := writeAll(fd, Image(value)); err != nil {
		unix.Close(fd)
		return nil, err
	}
	mem, err := unix.Mmap(fd, 0, Size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Link(tmp, path); err != nil {
		unix.Munmap(mem)
		unix.Close(fd)
		return nil, err
	}
	return &Mapping{Mem: mem, Fd: fd}, nil
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

// Peek returns what stat says of the semaphore file at path and its value,
// read with pread (the file is not mapped). A file that cannot be opened for
// reading (no permission) gives its stat and ok == false. Symlinks are
// never followed (ELOOP); a file not in the semaphore format gives an
// error wrapping ErrNotSemaphore.
func Peek(path string) (in Info, value uint32, ok bool, err error) {
	st := new(syscall.Stat_t)
	fd, err := openRetry(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err == unix.EACCES {
		if err = sys.Retry(func() error { return syscall.Lstat(path, st) }); err != nil {
			return info(st), 0, false, err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < Size {
			return info(st), 0, false, NotSemaphore(sys.TypeMode(st.Mode), st.Size)
		}
		return info(st), 0, false, nil
	}
	if err != nil {
		return info(st), 0, false, err
	}
	defer unix.Close(fd)
	if err := sys.Retry(func() error { return syscall.Fstat(fd, st) }); err != nil {
		return info(st), 0, false, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return info(st), 0, false, NotSemaphore(sys.TypeMode(st.Mode), st.Size)
	}
	head := make([]byte, Size)
	var n int
	err = sys.Retry(func() (err error) {
		n, err = unix.Pread(fd, head, 0)
		return err
	})
	if err != nil {
		return info(st), 0, false, err
	}
	if err := Validate(head[:n]); err != nil {
		return info(st), 0, false, err
	}
	value = uint32(head[0]) | uint32(head[1])<<8 | uint32(head[2])<<16 | uint32(head[3])<<24
	return info(st), value, true, nil
}
