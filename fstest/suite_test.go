package fstest_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// brokenNS is MemFS with five bugs the suite must report: sends ignore
// the priority, TryAcquire never refuses, Remove of a missing object
// returns a bare error, a semaphore's Stat reports size 0 instead of the
// length of its status text, and OpenMq accepts O_TRUNC (the divergences a twin of the host
// once had).
type brokenNS struct{ *ipcfstest.MemFS }

type brokenQueue struct{ ipcfs.Mq }

func (q brokenQueue) Send(ctx context.Context, msg []byte, prio uint) error {
	return q.Mq.Send(ctx, msg, 0)
}

type brokenSem struct{ ipcfs.Sem }

func (brokenSem) TryAcquire() error { return nil }

func (b brokenNS) OpenMq(name string, flag int, perm fs.FileMode, attr *ipcfs.MqAttr) (ipcfs.Mq, error) {
	q, err := b.MemFS.OpenMq(name, flag&^os.O_TRUNC, perm, attr)
	if err != nil {
		return nil, err
	}
	return brokenQueue{q}, nil
}

func (b brokenNS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (ipcfs.Sem, error) {
	s, err := b.MemFS.OpenSem(name, flag, perm, value)
	if err != nil {
		return nil, err
	}
	return brokenSem{s}, nil
}

// sizeless is a FileInfo whose Size is always 0.
type sizeless struct{ fs.FileInfo }

func (sizeless) Size() int64 { return 0 }

func (b brokenNS) Stat(p string) (fs.FileInfo, error) {
	fi, err := b.MemFS.Stat(p)
	if err == nil && strings.HasPrefix(p, "sem/") {
		fi = sizeless{fi}
	}
	return fi, err
}

func (b brokenNS) Remove(p string) error {
	if err := b.MemFS.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return errors.New("gone")
	} else {
		return err
	}
}

const brokenEnv = "IPCFS_FSTEST_RUN_BROKEN"

// TestSuiteReportsBrokenBackend runs the suite against brokenNS in a child
// process (a failing suite fails its test) and checks that every bug is
// reported, and that the suite went on past the first failure.
func TestSuiteReportsBrokenBackend(t *testing.T) {
	if os.Getenv(brokenEnv) == "1" {
		ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace { return brokenNS{ipcfstest.NewMemFS()} })
		return
	}
	cmd := testenv.Self("-test.run=^TestSuiteReportsBrokenBackend$", "-test.v")
	cmd.Env = append(os.Environ(), brokenEnv+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the suite passed a broken backend (err %v); output:\n%s", err, out)
	}
	for _, want := range []string{
		"highest priority first, FIFO within one",
		"TryAcquire at 0 succeeded; want an error matching ipcfs.ErrWouldBlock",
		"want an error matching errors.Is(err, fs.ErrNotExist)",
		"Size() = 0; want 18", // len("value 3\nwaiters 0\n")
		"OpenMq(O_RDWR|O_CREATE|O_TRUNC) succeeded; want an invalid-argument error",
		"--- PASS: TestSuiteReportsBrokenBackend/ShmGrowsAndReadsPastEnd",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("suite output lacks %q; output:\n%s", want, out)
		}
	}
}
