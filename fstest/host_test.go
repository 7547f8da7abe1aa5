package fstest_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"testing/fstest"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
)

// hostKindsMissing returns the kinds the host namespace of this build does
// not implement (errors.ErrUnsupported: another GOOS, or a tree where a
// kind is still a stub).
func hostKindsMissing(ns *ipcfs.FS) []string {
	var missing []string
	name := fmt.Sprintf("ipcfstest-probe-%d", os.Getpid())
	flag := os.O_RDWR | os.O_CREATE | os.O_EXCL
	probes := []struct {
		dir  string
		open func() (ipcfs.File, error)
	}{
		{"shm", func() (ipcfs.File, error) { return ns.OpenShm(name, flag, 0o600, 0) }},
		{"mq", func() (ipcfs.File, error) {
			return ns.OpenMq(name, flag, 0o600, &ipcfs.MqAttr{MaxMessages: 1, MessageSize: 1})
		}},
		{"sem", func() (ipcfs.File, error) { return ns.OpenSem(name, flag, 0o600, 0) }},
	}
	for _, p := range probes {
		f, err := p.open()
		if errors.Is(err, errors.ErrUnsupported) {
			missing = append(missing, p.dir)
			continue
		}
		if err == nil {
			f.Close()
			ns.Remove(p.dir + "/" + name)
		}
	}
	return missing
}

// TestHostNamespace runs the conformance suite against the host namespace.
// It needs /dev/shm and, for listing queues, /dev/mqueue.
func TestHostNamespace(t *testing.T) {
	ns := ipcfs.New()
	if missing := hostKindsMissing(ns); len(missing) > 0 {
		t.Skipf("the host namespace of this build does not implement %v (errors.ErrUnsupported)", missing)
	}
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace { return ns })
}

func TestHostSnapshot(t *testing.T) {
	ns := ipcfs.New()
	if missing := hostKindsMissing(ns); len(missing) > 0 {
		t.Skipf("the host namespace of this build does not implement %v (errors.ErrUnsupported)", missing)
	}
	prefix := fmt.Sprintf("ipcfstest-snap-%d-", os.Getpid())
	t.Cleanup(func() {
		for _, p := range []string{"shm/" + prefix + "seg", "mq/" + prefix + "queue", "sem/" + prefix + "sem"} {
			ns.Remove(p)
		}
	})
	populate(t, ns, prefix)
	snap, err := ipcfstest.Snapshot(ns)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(snap, "shm/"+prefix+"seg", "mq/"+prefix+"queue", "sem/"+prefix+"sem"); err != nil {
		t.Error(err)
	}
	if got := string(snap["sem/"+prefix+"sem"].Data); got != "value 3\nwaiters 0\n" {
		t.Errorf("host snapshot of a semaphore = %q; want %q", got, "value 3\nwaiters 0\n")
	}
	if got := string(snap["shm/"+prefix+"seg"].Data); got != "segment content" {
		t.Errorf("host snapshot of a segment = %q; want %q", got, "segment content")
	}
}
