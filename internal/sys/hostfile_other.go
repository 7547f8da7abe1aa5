//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sys

import (
	"errors"
	"io/fs"
	"time"
)

// Chmod fails: host files are implemented for Linux only.
func Chmod(string, fs.FileMode) error { return errors.ErrUnsupported }

// Chown fails: host files are implemented for Linux only.
func Chown(string, int, int) error { return errors.ErrUnsupported }

// Chtimes fails: host files are implemented for Linux only.
func Chtimes(string, time.Time, time.Time) error { return errors.ErrUnsupported }

// FdTableFull reports false: there is no descriptor table to fill here.
func FdTableFull() bool { return false }
