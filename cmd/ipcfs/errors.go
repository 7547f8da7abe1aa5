package main

// This file turns library errors into the tool's one-line messages and exit
// statuses.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// cliError is an error about the object the user named as path ("shm/x",
// as displayName prints it).
type cliError struct {
	path string
	err  error
}

func (c *cliError) Error() string { return errorText(c.path, c.err) }
func (c *cliError) Unwrap() error { return c.err }

// pathErr returns err, if any, as an error about path.
func pathErr(path string, err error) error {
	if err == nil {
		return nil
	}
	return &cliError{path: path, err: err}
}

// timedOut reports whether err means a wait ran out of time or would have
// had to wait: exit status 3.
func timedOut(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ipcfs.ErrWouldBlock) ||
		errors.Is(err, sys.EAGAIN) ||
		errors.Is(err, syscall.ETIMEDOUT)
}

// exitCode returns the exit status for a command that failed with err.
func exitCode(err error) int {
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case timedOut(err):
		return exitTimedOut
	}
	return exitError
}

// errorText returns the message for err about path, without the "ipcfs: "
// prefix: "shm/x: no such object". Bytes that are not printable are
// escaped (displayText): a cause may quote a hostile name.
func errorText(path string, err error) string {
	return displayText(path + ": " + cause(err))
}

// hintError is err with advice after its cause: "already exists (...)".
type hintError struct {
	err  error
	hint string
}

func (h *hintError) Error() string { return h.err.Error() + " (" + h.hint + ")" }
func (h *hintError) Unwrap() error { return h.err }

// cause says in a few words what went wrong.
func cause(err error) string {
	var ie *interruptedError
	var he *hintError
	switch {
	case errors.As(err, &he):
		return cause(he.err) + " (" + he.hint + ")"
	case errors.As(err, &ie):
		return ie.Error()
	case errors.Is(err, fs.ErrNotExist):
		return "no such object"
	case errors.Is(err, fs.ErrExist):
		return "already exists"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ETIMEDOUT):
		return "timed out"
	case errors.Is(err, ipcfs.ErrWouldBlock), errors.Is(err, sys.EAGAIN):
		return "would block"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	// The library's errors are *fs.PathErrors naming the op and the POSIX
	// name; the message names the CLI path instead, so keep only the cause.
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
