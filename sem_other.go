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
	done, err := s.use("stat")
	if err != nil {
		return nil, err
	}
	done()
	return nil, &fs.PathError{Op: "stat", Path: s.name, Err: errors.ErrUnsupported}
}

func statSem(string) (fs.FileInfo, error) { return nil, errors.ErrUnsupported }

// semExplainPost passes err through: there are no semaphores here.
func semExplainPost(err error) error { return err }
