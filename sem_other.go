//go:build !linux

package ipcfs

import (
	"errors"
	"io/fs"
)

// SemaphoreTimeoutSupported reports whether Acquire can wait with a
// deadline (posix_ipc's SEMAPHORE_TIMEOUT_SUPPORTED).
const SemaphoreTimeoutSupported = false

// SemaphoreValueSupported reports whether Value works (posix_ipc's
// SEMAPHORE_VALUE_SUPPORTED).
const SemaphoreValueSupported = false

// Stat is unsupported outside Linux.
func (s *SemFile) Stat() (fs.FileInfo, error) {
	if s == nil {
		return nil, &fs.PathError{Op: "stat", Path: "", Err: fs.ErrInvalid}
	}
	if s.h.Closed() {
		return nil, &fs.PathError{Op: "stat", Path: s.name, Err: fs.ErrClosed}
	}
	return nil, &fs.PathError{Op: "stat", Path: s.name, Err: errors.ErrUnsupported}
}

func statSem(string) (fs.FileInfo, error) { return nil, errors.ErrUnsupported }

// semExplainPost passes err through: there are no semaphores here.
func semExplainPost(err error) error { return err }
