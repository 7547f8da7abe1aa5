package mount_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

func TestMountedMemFSConformance(t *testing.T) {
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
		m := ipcfstest.NewMemFS()
		return mount.AsNamespace(mount.New(m), "/", m)
	})
}

// TestMountedNamespace is the README's: the conformance suite through a
// mount at a directory of another afero.Fs.
func TestMountedNamespace(t *testing.T) {
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
		ns := ipcfstest.NewMemFS() // or ipcfs.New()
		return mount.AsNamespace(mount.At(afero.NewMemMapFs(), "/run/app/ipc", ns), "/run/app/ipc", ns)
	})
}

// TestMountedAtMemFSConformance is the same with files of base beside the
// mount.
func TestMountedAtMemFSConformance(t *testing.T) {
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
		m := ipcfstest.NewMemFS()
		base := afero.NewMemMapFs()
		afero.WriteFile(base, "/run/app/config.json", []byte("{}"), 0o644)
		afero.WriteFile(base, "/run/app/ipc.txt", []byte("beside the mount"), 0o644)
		return mount.AsNamespace(mount.At(base, "/run/app/ipc", m), "/run/app/ipc", m)
	})
}

// hostMissing returns the kinds the host namespace of this build lacks.
func hostMissing(ns *ipcfs.FS) []string {
	var missing []string
	name := fmt.Sprintf("mounttest-probe-%d", os.Getpid())
	flag := os.O_RDWR | os.O_CREATE | os.O_EXCL
	for _, dir := range []string{"shm", "mq", "sem"} {
		var f ipcfs.File
		var err error
		switch dir {
		case "shm":
			f, err = ns.OpenShm(name, flag, 0o600, 0)
		case "mq":
			f, err = ns.OpenMq(name, flag, 0o600, &ipcfs.MqAttr{MaxMessages: 1, MessageSize: 1})
		case "sem":
			f, err = ns.OpenSem(name, flag, 0o600, 0)
		}
		if errors.Is(err, errors.ErrUnsupported) {
			missing = append(missing, dir)
		} else if err == nil {
			f.Close()
			ns.Remove(dir + "/" + name)
		}
	}
	return missing
}

func TestMountedHostConformance(t *testing.T) {
	ns := ipcfs.New()
	if missing := hostMissing(ns); len(missing) > 0 {
		t.Skipf("the host namespace of this build does not implement %v (errors.ErrUnsupported)", missing)
	}
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
		return mount.AsNamespace(mount.New(ns), "", ns)
	})
}
