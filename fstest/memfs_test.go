package fstest_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
)

func TestMemFSConformance(t *testing.T) {
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace { return ipcfstest.NewMemFS() })
}

// The twin of a host without the mqueue mount passes the suite as that
// host does: everything but listing queues, which is skipped.
func TestMemFSConformanceWithoutMqueueMount(t *testing.T) {
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace { return ipcfstest.NewMemFS(ipcfstest.MqueueUnmounted()) })
}

func TestMemFSSharedAcrossSubtests(t *testing.T) {
	// One namespace for every subtest works too (as the host's is shared).
	m := ipcfstest.NewMemFS()
	ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace { return m })
	for _, d := range []string{"shm", "mq", "sem"} {
		if entries, _ := m.ReadDir(d); len(entries) != 0 {
			t.Errorf("after the suite, %s holds %d objects; want 0 (the suite removes what it creates)", d, len(entries))
		}
	}
}

func TestMemFSShmPassesTestingFSTest(t *testing.T) {
	m := ipcfstest.NewMemFS()
	for name, content := range map[string]string{"a": "alpha", "b": "", "c": "gamma\x00ray"} {
		f, err := m.OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(content))
		f.Close()
	}
	sub, err := fs.Sub(m, "shm")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(sub, "a", "b", "c"); err != nil {
		t.Error(err)
	}
}

func TestMemFSInstancesAreIndependent(t *testing.T) {
	a, b := ipcfstest.NewMemFS(), ipcfstest.NewMemFS()
	f, err := a.OpenSem("x", os.O_CREATE|os.O_EXCL, 0o600, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := b.OpenSem("x", 0, 0, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a semaphore created in one MemFS opened in another: err = %v; want fs.ErrNotExist", err)
	}
	if g, err := b.OpenSem("x", os.O_CREATE|os.O_EXCL, 0o600, 5); err != nil {
		t.Errorf("creating the same name in another MemFS = %v; want no error", err)
	} else {
		g.Close()
	}
}

func TestMemFSSemaphoreCloseWakesWaiters(t *testing.T) {
	m := ipcfstest.NewMemFS()
	s, err := m.OpenSem("s", os.O_CREATE, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.Acquire(context.Background()) }()
	}
	s.Close()
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("waiter %d: Acquire = %v; want fs.ErrClosed", i, err)
		}
	}
}

func TestMemFSNilHandlesDoNotPanic(t *testing.T) {
	m := ipcfstest.NewMemFS()
	shm, _ := m.OpenShm("x", os.O_RDWR|os.O_CREATE, 0o600, 0)
	q, _ := m.OpenMq("x", os.O_RDWR|os.O_CREATE, 0o600, &ipcfs.MqAttr{MaxMessages: 1, MessageSize: 1})
	sem, _ := m.OpenSem("x", os.O_CREATE, 0o600, 0)
	// Zero-value typed nil pointers behind the interfaces.
	nilShm := ipcfstest.NilOf(shm)
	nilMq := ipcfstest.NilOf(q)
	nilSem := ipcfstest.NilOf(sem)
	for _, f := range []ipcfs.File{nilShm, nilMq, nilSem} {
		if _, err := f.Read(make([]byte, 1)); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%T(nil).Read = %v; want fs.ErrInvalid", f, err)
		}
		if err := f.Close(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%T(nil).Close = %v; want fs.ErrInvalid", f, err)
		}
		_ = f.Name()
	}
}

func TestMemFSZeroValueIsUsable(t *testing.T) {
	var m ipcfstest.MemFS
	f, err := m.OpenShm("x", os.O_RDWR|os.O_CREATE, 0o600, 3)
	if err != nil {
		t.Fatalf("OpenShm on a zero MemFS = %v", err)
	}
	f.Close()
	if entries, err := m.ReadDir("shm"); err != nil || len(entries) != 1 {
		t.Errorf("ReadDir(shm) = %d entries, %v; want 1", len(entries), err)
	}
}

func TestMemFSMqueueUnmountedOnlyRefusesListingQueues(t *testing.T) {
	m := ipcfstest.NewMemFS(ipcfstest.MqueueUnmounted())
	q, err := m.OpenMq("q", os.O_RDWR|os.O_CREATE, 0o600, &ipcfs.MqAttr{MaxMessages: 1, MessageSize: 8})
	if err != nil {
		t.Fatalf("OpenMq without the mqueue mount = %v; want it to work, as on the host", err)
	}
	defer q.Close()
	if _, err := m.ReadDir("mq"); !errors.Is(err, ipcfs.ErrMqueueNotMounted) {
		t.Errorf(`ReadDir("mq") = %v; want ipcfs.ErrMqueueNotMounted`, err)
	}
	// As on the host, a queue is stat'ed and changed by name without the
	// mount (through a queue descriptor there).
	if err := m.Chmod("mq/q", 0o640); err != nil {
		t.Errorf(`Chmod("mq/q") = %v; want it to work`, err)
	}
	if fi, err := m.Stat("mq/q"); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf(`Stat("mq/q") = %v, %v; want it to work, mode 0640`, fi, err)
	}
	if _, err := q.Stat(); err != nil {
		t.Errorf("Stat through the handle = %v; want it to work", err)
	}
	if entries, err := m.ReadDir("shm"); err != nil || len(entries) != 0 {
		t.Errorf(`ReadDir("shm") = %v, %v; want an empty listing`, entries, err)
	}
	if err := m.Remove("mq/q"); err != nil {
		t.Errorf(`Remove("mq/q") = %v; want it to work, as mq_unlink does`, err)
	}
}

func TestMemFSClockSetsModificationTimes(t *testing.T) {
	at := time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC)
	m := ipcfstest.NewMemFS(ipcfstest.Clock(func() time.Time { return at }))
	f, err := m.OpenShm("x", os.O_RDWR|os.O_CREATE, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	at = at.Add(time.Hour)
	if _, err := f.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if fi, err := m.Stat("shm/x"); err != nil || !fi.ModTime().Equal(at) {
		t.Errorf("after a write at %v, Stat = %v, %v; want that ModTime", at, fi, err)
	}
}

// As on the host, a name that is not a valid io/fs path element is left out
// of ReadDir and listed by Unlisted; the POSIX-name calls reach it.
func TestMemFSReadDirLeavesOutNamesThatAreNotPathElements(t *testing.T) {
	m := ipcfstest.NewMemFS()
	for _, name := range []string{"good", "bad-\xff"} {
		s, err := m.OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, 1)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	entries, err := m.ReadDir("shm")
	if err != nil || len(entries) != 1 || entries[0].Name() != "good" {
		t.Errorf("ReadDir(shm) = %v, %v; want only \"good\"", entries, err)
	}
	unlisted, err := m.Unlisted("shm")
	if err != nil || len(unlisted) != 1 || unlisted[0].Name() != "bad-\xff" {
		t.Errorf("Unlisted(shm) = %v, %v; want only %q", unlisted, err, "bad-\xff")
	}
	if err := fstest.TestFS(m, "shm/good"); err != nil {
		t.Error(err)
	}
	if s, err := m.OpenShm("bad-\xff", os.O_RDONLY, 0, 0); err != nil {
		t.Errorf("OpenShm of the unlisted name: %v", err)
	} else {
		s.Close()
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// As on the host, a segment's WriteTo holds no lock while its writer runs:
// copies between two segments in opposite directions at once finish, and a
// panicking writer leaves the handle usable.
func TestMemFSShmWriteToHoldsNoLockWhileTheWriterRuns(t *testing.T) {
	m := ipcfstest.NewMemFS()
	open := func(name string) ipcfs.Shm {
		s, err := m.OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, 0)
		if err != nil {
			t.Fatal(err)
		}
		s.Write([]byte("content of " + name))
		s.Seek(0, 0)
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open("a"), open("b")
	var inA, inB sync.WaitGroup
	inA.Add(1)
	inB.Add(1)
	cross := func(src, dst ipcfs.Shm, mine, theirs *sync.WaitGroup) chan error {
		done := make(chan error, 1)
		go func() {
			_, err := src.WriteTo(writerFunc(func(p []byte) (int, error) {
				mine.Done()
				theirs.Wait()
				return dst.Write(p)
			}))
			done <- err
		}()
		return done
	}
	da, db := cross(a, b, &inA, &inB), cross(b, a, &inB, &inA)
	for _, d := range []chan error{da, db} {
		select {
		case err := <-d:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("copies between two segments in opposite directions deadlocked")
		}
	}
	func() {
		defer func() { recover() }()
		a.Seek(0, 0)
		a.WriteTo(writerFunc(func([]byte) (int, error) { panic("writer") }))
	}()
	if _, err := a.Seek(0, 0); err != nil {
		t.Errorf("Seek after a panicking writer: %v", err)
	}
}

// A segment larger than MaxShmSize would be real memory here (the host's
// tmpfs makes it sparse): every way to grow one past it fails with EFBIG,
// before allocating, and leaves the segment as it was.
func TestMemFSShmRefusesSizesPastMaxShmSize(t *testing.T) {
	m := ipcfstest.NewMemFS()
	if _, err := m.OpenShm("big", os.O_RDWR|os.O_CREATE, 0o600, ipcfstest.MaxShmSize+1); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("OpenShm with size MaxShmSize+1 = %v; want EFBIG", err)
	}
	f, err := m.OpenShm("x", os.O_RDWR|os.O_CREATE, 0o600, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	grow := map[string]func() error{
		"Truncate": func() error { return f.Truncate(ipcfstest.MaxShmSize + 1) },
		"WriteAt":  func() error { _, err := f.WriteAt([]byte("x"), ipcfstest.MaxShmSize); return err },
		"Write": func() error {
			if _, err := f.Seek(ipcfstest.MaxShmSize, io.SeekStart); err != nil {
				return err
			}
			_, err := f.Write([]byte("x"))
			return err
		},
	}
	for name, op := range grow {
		if err := op(); !errors.Is(err, syscall.EFBIG) {
			t.Errorf("%s past MaxShmSize = %v; want EFBIG", name, err)
		}
		if size, err := f.Size(); err != nil || size != 3 {
			t.Errorf("after %s past MaxShmSize, Size = %d, %v; want 3", name, size, err)
		}
	}
}
