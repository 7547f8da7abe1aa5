package ipcfs

import (
	"errors"
	"io/fs"
)

// SemFile is a stub, replaced by the sem implementation.
type SemFile struct{ Semaphore }

// OpenSem is a stub.
func OpenSem(name string, flag int, perm fs.FileMode, value uint32) (*SemFile, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

// RemoveSem is a stub.
func RemoveSem(name string) error {
	return &fs.PathError{Op: "remove", Path: name, Err: errors.ErrUnsupported}
}

func statSem(name string) (fs.FileInfo, error) { return nil, errors.ErrUnsupported }
