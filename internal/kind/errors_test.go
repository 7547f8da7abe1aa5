package kind

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

func TestDirectionErrorsArePermissionAndEBADF(t *testing.T) {
	for _, err := range []error{NotReadable(), NotWritable()} {
		if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, syscall.EBADF) {
			t.Errorf("%v: want errors.Is for fs.ErrPermission and syscall.EBADF", err)
		}
	}
}
