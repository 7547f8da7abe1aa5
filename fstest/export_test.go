package fstest

import "github.com/ipcfs/ipcfs"

// NilOf returns a typed nil of f's concrete type, for tests of nil handles.
func NilOf(f ipcfs.File) ipcfs.File {
	switch f.(type) {
	case *memShmFile:
		return (*memShmFile)(nil)
	case *memMqFile:
		return (*memMqFile)(nil)
	case *memSemFile:
		return (*memSemFile)(nil)
	}
	return nil
}
