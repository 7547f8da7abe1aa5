package ipcfs

import (
	"errors"
	"io/fs"
)

// ShmFile is a stub, replaced by the shm implementation.
type ShmFile struct{ SharedMemory }

// OpenShm is a stub.
func OpenShm(name string, flag int, perm fs.FileMode, size int64) (*ShmFile, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

// RemoveShm is a stub.
func RemoveShm(name string) error {
	return &fs.PathError{Op: "remove", Path: name, Err: errors.ErrUnsupported}
}

func statShm(name string) (fs.FileInfo, error) { return nil, errors.ErrUnsupported }
