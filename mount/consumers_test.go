package mount_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
)

// TestAferoReadFileTakesNothing reads every kind with afero.ReadFile
// through New and At, on the host and on a MemFS: the calls end (also on an
// empty queue and a semaphore at zero, where a receive or an acquire would
// wait forever), give the status text, and take nothing.
func TestAferoReadFileTakesNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		ns   func(t *testing.T) ipcfs.Namespace
	}{
		{"host", func(t *testing.T) ipcfs.Namespace {
			ns := ipcfs.New()
			if missing := hostMissing(ns); len(missing) > 0 {
				t.Skipf("the host namespace of this build does not implement %v", missing)
			}
			return ns
		}},
		{"memfs", func(*testing.T) ipcfs.Namespace { return ipcfstest.NewMemFS() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ns := c.ns(t)
			prefix := fmt.Sprintf("mounttest-look-%d-", os.Getpid())
			crex := os.O_RDWR | os.O_CREATE | os.O_EXCL
			attr := &ipcfs.MqAttr{MaxMessages: 2, MessageSize: 32}
			q, err := ns.OpenMq(prefix+"q", crex, 0o600, attr)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { q.Close(); ns.Remove("mq/" + prefix + "q") }()
			empty, err := ns.OpenMq(prefix+"empty", crex, 0o600, attr)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { empty.Close(); ns.Remove("mq/" + prefix + "empty") }()
			sem, err := ns.OpenSem(prefix+"sem", crex, 0o600, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { sem.Close(); ns.Remove("sem/" + prefix + "sem") }()
			zero, err := ns.OpenSem(prefix+"zero", crex, 0o600, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { zero.Close(); ns.Remove("sem/" + prefix + "zero") }()
			q.Send(context.Background(), []byte("kept"), 0)

			for _, m := range []struct {
				fsys afero.Fs
				root string
			}{{mount.New(ns), "/"}, {mount.At(afero.NewMemMapFs(), "/run/app", ns), "/run/app/"}} {
				for _, p := range []string{"mq/" + prefix + "q", "mq/" + prefix + "empty", "sem/" + prefix + "sem", "sem/" + prefix + "zero"} {
					var b []byte
					var err error
					done := make(chan struct{})
					go func() { defer close(done); b, err = afero.ReadFile(m.fsys, m.root+p) }()
					select {
					case <-done:
					case <-time.After(10 * time.Second):
						t.Fatalf("afero.ReadFile(%s%s) did not return: it waits on the object", m.root, p)
					}
					fi, serr := ns.Stat(p)
					if err != nil || serr != nil || string(b) != fi.Sys().(interface{ Status() string }).Status() {
						t.Errorf("afero.ReadFile(%s%s) = %q, %v; want the status text (%v)", m.root, p, b, err, serr)
					}
				}
			}
			if a, err := q.Attr(); err != nil || a.CurMessages != 1 {
				t.Errorf("after afero.ReadFile, the queue holds %d messages (%v); want 1", a.CurMessages, err)
			}
			if v, err := sem.Value(); err != nil || v != 2 {
				t.Errorf("after afero.ReadFile, the semaphore's value is %d (%v); want 2", v, err)
			}
		})
	}
}
