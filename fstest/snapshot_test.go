package fstest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
)

// populate fills ns with a segment, a queue holding two messages and a
// semaphore of value 3.
func populate(t *testing.T, ns ipcfs.Namespace, prefix string) {
	t.Helper()
	shm, err := ns.OpenShm(prefix+"seg", os.O_RDWR|os.O_CREATE, 0o640, 0)
	if err != nil {
		t.Fatal(err)
	}
	shm.Write([]byte("segment content"))
	shm.Close()
	q, err := ns.OpenMq(prefix+"queue", os.O_RDWR|os.O_CREATE, 0o600, &ipcfs.MqAttr{MaxMessages: 4, MessageSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	q.Send(context.Background(), []byte("hello"), 1)
	q.Send(context.Background(), []byte("world!"), 0)
	q.Close()
	s, err := ns.OpenSem(prefix+"sem", os.O_RDWR|os.O_CREATE, 0o600, 3)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestSnapshotFreezesContent(t *testing.T) {
	m := ipcfstest.NewMemFS()
	populate(t, m, "")
	snap, err := ipcfstest.Snapshot(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(snap, "shm/seg", "mq/queue", "sem/sem"); err != nil {
		t.Error(err)
	}
	for p, want := range map[string]string{
		"shm/seg":  "segment content",
		"mq/queue": "max_messages 4\nmessage_size 32\ncurrent_messages 2\nbytes 11\n",
		"sem/sem":  "value 3\nwaiters 0\n",
	} {
		if got := string(snap[p].Data); got != want {
			t.Errorf("snapshot %s = %q; want %q", p, got, want)
		}
	}
	// Reading the snapshot consumed nothing.
	if fi, _ := m.Stat("sem/sem"); fi.Sys().(ipcfs.SemInfo).Value != 3 {
		t.Errorf("semaphore value after snapshot reads = %d; want 3", fi.Sys().(ipcfs.SemInfo).Value)
	}
	if fi, _ := m.Stat("mq/queue"); fi.Sys().(ipcfs.MqInfo).Attr.CurMessages != 2 {
		t.Errorf("queue length after snapshot reads = %d; want 2", fi.Sys().(ipcfs.MqInfo).Attr.CurMessages)
	}
	// Later changes do not reach the snapshot.
	shm, _ := m.OpenShm("seg", os.O_RDWR, 0, 0)
	shm.WriteAt([]byte("SEGMENT"), 0)
	shm.Close()
	if got := string(snap["shm/seg"].Data); got != "segment content" {
		t.Errorf("snapshot changed with the segment: %q", got)
	}
	if snap["shm/seg"].Mode.Perm() != 0o640 {
		t.Errorf("snapshot shm/seg mode = %v; want 0640", snap["shm/seg"].Mode)
	}
}

func TestSnapshotOfEmptyNamespaceHasDirectories(t *testing.T) {
	snap, err := ipcfstest.Snapshot(ipcfstest.NewMemFS())
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(snap, "shm", "mq", "sem"); err != nil {
		t.Error(err)
	}
}

func TestSnapshotCopiesToDisk(t *testing.T) {
	m := ipcfstest.NewMemFS()
	populate(t, m, "")
	snap, err := ipcfstest.Snapshot(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, snap); err != nil {
		t.Fatalf("os.CopyFS: %v", err)
	}
	for p, want := range map[string]string{"shm/seg": "segment content", "sem/sem": "value 3\nwaiters 0\n"} {
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || string(got) != want {
			t.Errorf("copied %s = %q, %v; want %q", p, got, err, want)
		}
	}
}
