package ipcfs

import (
	"errors"
	"io/fs"
)

// MqFile is a stub, replaced by the mq implementation.
type MqFile struct{ MessageQueue }

// OpenMq is a stub.
func OpenMq(name string, flag int, perm fs.FileMode, attr *MqAttr) (*MqFile, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

// RemoveMq is a stub.
func RemoveMq(name string) error {
	return &fs.PathError{Op: "remove", Path: name, Err: errors.ErrUnsupported}
}

func statMq(name string) (fs.FileInfo, error) { return nil, errors.ErrUnsupported }
