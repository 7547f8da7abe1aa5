package ipcfs

import (
	"io/fs"
	"runtime"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// SemaphoreTimeoutSupported reports whether Acquire can wait with a
// deadline (posix_ipc's SEMAPHORE_TIMEOUT_SUPPORTED): true on Linux.
const SemaphoreTimeoutSupported = runtime.GOOS == "linux"

// SemaphoreValueSupported reports whether Value works (posix_ipc's
// SEMAPHORE_VALUE_SUPPORTED): true on Linux.
const SemaphoreValueSupported = runtime.GOOS == "linux"

// Stat returns the semaphore's FileInfo: the name without slash, mode
// fs.ModeIrregular plus its permission bits, Size its value (the number
// of bytes Read could take now), the file's modification time, and Sys()
// a SemInfo with the value and the *syscall.Stat_t of /dev/shm/sem.NAME.
func (s *SemFile) Stat() (fs.FileInfo, error) {
	if err := s.use("stat"); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	st, err := s.m.Stat()
	if err != nil {
		return nil, pathError("stat", s.name, err)
	}
	return semInfo(s.name[1:], st, int(s.word.Value())), nil
}

func semInfo(name string, st sem.Info, value int) fs.FileInfo {
	return kind.Sem.Info(name, int64(value), st.Perm, st.ModTime, SemInfo{Value: value, Stat: st.Sys})
}

// statSem returns the FileInfo of the semaphore with the clean name n, as
// SemFile.Stat does, without mapping it: the value is read with pread. A
// semaphore this process may not read has value 0.
func statSem(n string) (fs.FileInfo, error) {
	st, value, _, err := sem.Peek(kind.Sem.HostPath(n))
	if err != nil {
		return nil, err
	}
	return semInfo(n, st, int(value)), nil
}

// semExplainPost names the limit behind a failed post: at SemValueMax the
// error still satisfies errors.Is(err, syscall.EOVERFLOW).
func semExplainPost(err error) error {
	if err == sys.EOVERFLOW {
		return kind.SemValueAtMax()
	}
	return err
}
