package ipcfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// errnoSentinel is an exported sentinel error that also matches one errno,
// so errors.Is(err, ErrWouldBlock) and errors.Is(err, syscall.EAGAIN) both hold.
type errnoSentinel struct {
	msg   string
	errno sys.Errno
}

func (e *errnoSentinel) Error() string { return e.msg }

// Is reports whether target is the errno this sentinel stands for.
func (e *errnoSentinel) Is(target error) bool {
	errno, ok := target.(sys.Errno)
	return ok && errno == e.errno
}

// Unwrap returns the errno, so errors.As(err, &errno) works.
func (e *errnoSentinel) Unwrap() error { return e.errno }

var (
	// ErrWouldBlock is returned, inside an *fs.PathError, by a non-blocking
	// operation that would have to wait: a try-acquire on a semaphore at zero,
	// a send to a full or a receive from an empty queue in non-blocking mode.
	// It is posix_ipc's BusyError for timeout 0; errors.Is(err,
	// syscall.EAGAIN) also holds.
	ErrWouldBlock error = &errnoSentinel{"operation would block", sys.EAGAIN}

	// ErrBusy is returned when a queue already has a notification registered
	// (by this or another process); errors.Is(err, syscall.EBUSY) also holds.
	ErrBusy error = &errnoSentinel{"notification already registered for this queue", sys.EBUSY}

	// ErrMqueueNotMounted is returned when queues are listed or stat'ed by path
	// but the mqueue file system is not mounted at /dev/mqueue. Queues
	// themselves work without it. errors.Is(err, errors.ErrUnsupported) holds.
	ErrMqueueNotMounted error = &notMountedError{}
)

type notMountedError struct{}

func (*notMountedError) Error() string {
	return "the mqueue file system is not mounted at /dev/mqueue (as root: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue)"
}

func (*notMountedError) Unwrap() error { return errors.ErrUnsupported }

// relabel returns err, an *fs.PathError from a lower-level call, with the
// op and path the caller used (the namespace path "shm/x" rather than the
// object name "x"); other errors are wrapped as pathError does.
func relabel(op, path string, err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return &fs.PathError{Op: op, Path: path, Err: pe.Err}
	}
	return pathError(op, path, err)
}

// pathError returns err as an *fs.PathError for op on path, mapping errnos the
// way the package documents: EAGAIN is ErrWouldBlock, EBUSY is ErrBusy,
// ETIMEDOUT is os.ErrDeadlineExceeded. An *fs.PathError passes through.
func pathError(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	switch err {
	case sys.EAGAIN:
		err = ErrWouldBlock
	case syscall.EBUSY:
		err = ErrBusy
	case syscall.ETIMEDOUT:
		err = os.ErrDeadlineExceeded
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}

// nofileError explains an EMFILE that comes from a full descriptor table.
func nofileError(errno sys.Errno) error {
	return kind.Limit(errno, "too many open files: RLIMIT_NOFILE reached (close unused handles, or raise it: ulimit -n / setrlimit(RLIMIT_NOFILE))")
}

// explainNofile turns an EMFILE from a full descriptor table into
// nofileError; any other error passes through.
func explainNofile(err error) error {
	if errno, ok := err.(sys.Errno); ok && errno == sys.EMFILE && sys.FdTableFull() {
		return nofileError(errno)
	}
	return err
}
