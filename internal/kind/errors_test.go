package kind

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/ipcfs/ipcfs/internal/sys"
)

func TestDirectionErrorsArePermissionAndEBADF(t *testing.T) {
	for _, err := range []error{NotReadable(), NotWritable()} {
		if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, sys.EBADF) {
			t.Errorf("%v: want errors.Is for fs.ErrPermission and sys.EBADF", err)
		}
	}
}
