package ipcfs

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/ipcfs/ipcfs/internal/sys"
)

// Where the layouts are not proven (an architecture the kernel and glibc
// structures were never tested on, or another operating system), every
// open and remove fails with errors.ErrUnsupported: never a silent guess.
// .ci/run runs this for an unproven architecture under qemu-user.
func TestUnprovenPlatformsRefuseEveryOpen(t *testing.T) {
	if sys.Proven {
		t.Skipf("%s/%s is proven: the other tests run here", runtime.GOOS, runtime.GOARCH)
	}
	const name = "/ipcfs-unsupported"
	_, shmErr := OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, 4096)
	_, mqErr := OpenMq(name, os.O_RDWR|os.O_CREATE, 0o600, nil)
	_, semErr := OpenSem(name, os.O_CREATE, 0o600, 1)
	_, fileErr := New().OpenFile("sem"+name, os.O_RDWR|os.O_CREATE, 0o600)
	for what, err := range map[string]error{
		"OpenShm": shmErr, "OpenMq": mqErr, "OpenSem": semErr, "OpenFile": fileErr,
		"RemoveShm": RemoveShm(name), "RemoveMq": RemoveMq(name), "RemoveSem": RemoveSem(name),
	} {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("%s on %s/%s: %v; want errors.ErrUnsupported", what, runtime.GOOS, runtime.GOARCH, err)
		}
	}
}
