//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package shm

import (
	"errors"
	"os"
)

// Open fails: shared memory is implemented for Linux only.
func Open(path string, flag int, perm uint32) (int, error) { return -1, errors.ErrUnsupported }

// Close fails: shared memory is implemented for Linux only.
func Close(fd int) error { return errors.ErrUnsupported }

// Unlink fails: shared memory is implemented for Linux only.
func Unlink(path string) error { return errors.ErrUnsupported }

// Fstat fails: shared memory is implemented for Linux only.
func Fstat(fd int) (Info, error) { return Info{}, errors.ErrUnsupported }

// Lstat fails: shared memory is implemented for Linux only.
func Lstat(path string) (Info, error) { return Info{}, errors.ErrUnsupported }

// Truncate fails: shared memory is implemented for Linux only.
func Truncate(fd int, size int64) error { return errors.ErrUnsupported }

// Reserve fails: shared memory is implemented for Linux only.
func Reserve(fd int, off, n int64) error { return errors.ErrUnsupported }

// WriteAt fails: shared memory is implemented for Linux only.
func WriteAt(fd int, b []byte, off int64) (int, error) { return 0, errors.ErrUnsupported }

// Map fails: shared memory is implemented for Linux only.
func Map(f *os.File, length int, writable bool) ([]byte, error) { return nil, errors.ErrUnsupported }

// Unmap fails: shared memory is implemented for Linux only.
func Unmap(b []byte) error { return errors.ErrUnsupported }

// Sync fails: shared memory is implemented for Linux only.
func Sync(b []byte) error { return errors.ErrUnsupported }
