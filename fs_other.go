//go:build !linux

package ipcfs

import (
	"errors"
	"io/fs"
	"time"
)

func chmodPath(string, fs.FileMode) error { return errors.ErrUnsupported }

func chownPath(string, int, int) error { return errors.ErrUnsupported }

func chtimesPath(string, time.Time, time.Time) error { return errors.ErrUnsupported }

func fdTableFull() bool { return false }
