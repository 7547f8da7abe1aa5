package ipcfs

import (
	"fmt"
	"io/fs"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs/internal/names"
	"github.com/ipcfs/ipcfs/internal/sem"
)

// SemaphoreTimeoutSupported reports whether Acquire can wait with a
// deadline (posix_ipc's SEMAPHORE_TIMEOUT_SUPPORTED).
const SemaphoreTimeoutSupported = true

// SemaphoreValueSupported reports whether Value works (posix_ipc's
// SEMAPHORE_VALUE_SUPPORTED).
const SemaphoreValueSupported = true

// Stat returns the semaphore's FileInfo: the name without slash, mode
// fs.ModeIrregular plus its permission bits, Size its value (the number
// of bytes Read could take now), the file's modification time, and Sys()
// a SemInfo with the value and the *syscall.Stat_t of /dev/shm/sem.NAME.
func (s *SemFile) Stat() (fs.FileInfo, error) {
	if s == nil {
		return nil, &fs.PathError{Op: "stat", Path: "", Err: fs.ErrInvalid}
	}
	st, value, err := s.h.Stat()
	if err != nil {
		return nil, pathError("stat", s.name, err)
	}
	return semInfo(s.name[1:], st, int(value)), nil
}

func semInfo(name string, st *syscall.Stat_t, value int) fs.FileInfo {
	return &staticInfo{
		name:    name,
		size:    int64(value),
		mode:    fs.ModeIrregular | fs.FileMode(st.Mode).Perm(),
		modTime: time.Unix(st.Mtim.Unix()),
		sys:     SemInfo{Value: value, Stat: st},
	}
}

// statSem returns the FileInfo of the semaphore with the clean name n, as
// SemFile.Stat does, without mapping it: the value is read with pread. A
// semaphore this process may not read has value 0.
func statSem(n string) (fs.FileInfo, error) {
	st, value, _, err := sem.Peek(names.Path(names.Sem, n))
	if err != nil {
		return nil, err
	}
	return semInfo(n, st, int(value)), nil
}

// semExplainPost names the limit behind a failed post: at SemValueMax the
// error still satisfies errors.Is(err, syscall.EOVERFLOW).
func semExplainPost(err error) error {
	if errno, ok := err.(syscall.Errno); ok && errno == syscall.EOVERFLOW {
		return &limitError{fmt.Sprintf("value is at SemValueMax (%d, SEM_VALUE_MAX): acquire before releasing more", SemValueMax), errno}
	}
	return err
}
