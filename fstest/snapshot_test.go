package fstest_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
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

// prefixNS shows only the objects of ns whose names start with prefix: a
// view of the host namespace limited to one test's objects.
type prefixNS struct {
	ipcfs.Namespace
	prefix string
}

func (p prefixNS) ReadDir(dir string) ([]fs.DirEntry, error) {
	entries, err := p.Namespace.ReadDir(dir)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return !strings.HasPrefix(e.Name(), p.prefix) }), err
}

// Three sparse 300 MiB segments cost their planter nothing; a snapshot must
// not read them into memory (issue 12: it reached 4.1 GB RSS).
func TestSnapshotDoesNotReadSparseSegmentsPastItsBudget(t *testing.T) {
	ns := ipcfs.New()
	if missing := hostKindsMissing(ns); len(missing) > 0 {
		t.Skipf("the host namespace of this build does not implement %v", missing)
	}
	prefix := fmt.Sprintf("ipcfstest-sparse-%d-", os.Getpid())
	for i := range 3 {
		name := fmt.Sprintf("%sbig%d", prefix, i)
		seg, err := ns.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 300<<20)
		if err != nil {
			t.Fatal(err)
		}
		seg.Close()
		t.Cleanup(func() { ns.Remove("shm/" + name) })
	}
	small, err := ns.OpenShm(prefix+"small", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	small.Write([]byte("kept"))
	small.Close()
	t.Cleanup(func() { ns.Remove("shm/" + prefix + "small") })

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	snap, err := ipcfstest.Snapshot(prefixNS{ns, prefix})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	skipped := map[string]error{}
	if _, err := ipcfstest.Snapshot(prefixNS{ns, prefix}, ipcfstest.SnapshotSkipped(func(p string, err error) { skipped[p] = err })); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if p := fmt.Sprintf("shm/%sbig%d", prefix, i); !errors.Is(skipped[p], ipcfstest.ErrOverBudget) {
			t.Errorf("report for %s = %v; want ErrOverBudget", p, skipped[p])
		}
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 32<<20 {
		t.Errorf("Snapshot allocated %d MiB for three sparse segments over its budget; want nothing of them read", allocated>>20)
	}
	if got := string(snap["shm/"+prefix+"small"].Data); got != "kept" {
		t.Errorf("small segment in the snapshot = %q; want %q", got, "kept")
	}
	for i := range 3 {
		if f, ok := snap[fmt.Sprintf("shm/%sbig%d", prefix, i)]; ok {
			t.Errorf("segment big%d is in the snapshot with %d bytes; want it left out", i, len(f.Data))
		}
	}
}

// A name that is not a valid io/fs path element (not UTF-8) is no part of
// the io/fs view: a snapshot leaves it out instead of failing.
func TestSnapshotLeavesOutNamesOutsideTheFSView(t *testing.T) {
	m := ipcfstest.NewMemFS()
	populate(t, m, "")
	bad, err := m.OpenShm("bad-\xff\xfe", os.O_RDWR|os.O_CREATE, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	bad.Write([]byte("unreachable through io/fs"))
	bad.Close()
	snap, err := ipcfstest.Snapshot(m)
	if err != nil {
		t.Fatalf("Snapshot with a non-UTF-8 name: %v", err)
	}
	if err := fstest.TestFS(snap, "shm/seg", "mq/queue", "sem/sem"); err != nil {
		t.Error(err)
	}
	for p := range snap {
		if !fs.ValidPath(p) {
			t.Errorf("snapshot holds %q, which is not a valid io/fs path", p)
		}
	}
}

// countingNS counts the bytes its segments are asked to read.
type countingNS struct {
	ipcfs.Namespace
	read *atomic.Int64
}

func (c countingNS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (ipcfs.Shm, error) {
	s, err := c.Namespace.OpenShm(name, flag, perm, size)
	if err != nil {
		return nil, err
	}
	return countingShm{s, c.read}, nil
}

func (c countingNS) Unlisted(dir string) ([]fs.DirEntry, error) {
	return c.Namespace.(ipcfs.Unlister).Unlisted(dir)
}

type countingShm struct {
	ipcfs.Shm
	read *atomic.Int64
}

func (c countingShm) ReadAt(p []byte, off int64) (int, error) {
	c.read.Add(int64(len(p)))
	return c.Shm.ReadAt(p, off)
}

func TestSnapshotBudgetKeepsWhatFitsReadsNothingElseAndReports(t *testing.T) {
	m := ipcfstest.NewMemFS()
	for name, size := range map[string]int{"a-first": 600 << 10, "b-second": 600 << 10, "c-small": 100} {
		s, err := m.OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, int64(size))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	bad, err := m.OpenSem("bad-\xff", os.O_RDWR|os.O_CREATE, 0o600, 1)
	if err != nil {
		t.Fatal(err)
	}
	bad.Close()
	var read atomic.Int64
	skipped := map[string]error{}
	const budget = 1 << 20
	snap, err := ipcfstest.Snapshot(countingNS{m, &read}, ipcfstest.SnapshotBudget(budget),
		ipcfstest.SnapshotSkipped(func(p string, err error) { skipped[p] = err }))
	if err != nil {
		t.Fatal(err)
	}
	if n := read.Load(); n > budget {
		t.Errorf("Snapshot read %d bytes of segments; want at most its budget, %d", n, budget)
	}
	if len(snap["shm/a-first"].Data) != 600<<10 || len(snap["shm/c-small"].Data) != 100 {
		t.Errorf("snapshot lacks a segment that fits the budget")
	}
	if _, ok := snap["shm/b-second"]; ok {
		t.Errorf("snapshot holds shm/b-second, which does not fit the budget")
	}
	if err := skipped["shm/b-second"]; !errors.Is(err, ipcfstest.ErrOverBudget) {
		t.Errorf("report for shm/b-second = %v; want ErrOverBudget", err)
	}
	if err := skipped["sem/bad-\xff"]; !errors.Is(err, ipcfstest.ErrUnlisted) || !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("report for the non-UTF-8 semaphore = %v; want ErrUnlisted", err)
	}
	if len(skipped) != 2 {
		t.Errorf("reported %v; want shm/b-second and the non-UTF-8 semaphore", skipped)
	}
}
