package mount_test

// This file is the README's "Using ipcfs in tests" example, compiled and run.

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

// enqueue is application code: it reads its configuration file and sends
// a job to the queue the configuration names. It only knows afero.Fs.
func enqueue(fsys afero.Fs, configPath, job string) error {
	raw, err := afero.ReadFile(fsys, configPath)
	if err != nil {
		return err
	}
	var cfg struct{ Queue string }
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return err
	}
	return afero.WriteFile(fsys, cfg.Queue, []byte(job), 0o600) // one message
}

func TestEnqueueSendsOneMessage(t *testing.T) {
	// Production: fsys := mount.At(afero.NewOsFs(), "/run/app", ipcfs.New())
	ns := fstest.NewMemFS() // in memory: nothing reaches the host
	fsys := mount.At(afero.NewMemMapFs(), "/run/app", ns)
	afero.WriteFile(fsys, "/etc/app.json", []byte(`{"queue": "/run/app/mq/jobs"}`), 0o644)

	if err := enqueue(fsys, "/etc/app.json", "build #1"); err != nil {
		t.Fatal(err)
	}

	q, err := ns.OpenMq("jobs", os.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	buf := make([]byte, 8192)
	n, prio, err := q.Receive(context.Background(), buf)
	if err != nil || string(buf[:n]) != "build #1" || prio != 0 {
		t.Fatalf("got %q (priority %d), %v; want %q", buf[:n], prio, err, "build #1")
	}
}
