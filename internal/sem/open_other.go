//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import "errors"

// openFile is unsupported outside Linux.
func openFile(path string, create, excl bool, perm uint32, value uint32) (int, fileKey, error) {
	return -1, fileKey{}, errors.ErrUnsupported
}

func closeFd(fd int) {}

// Peek is unsupported outside Linux.
func Peek(path string) (Info, State, bool, error) {
	return Info{}, State{}, false, errors.ErrUnsupported
}

// Unlink is unsupported outside Linux.
func Unlink(path string) error { return errors.ErrUnsupported }
