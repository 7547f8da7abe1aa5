package conversation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
)

var testSeq atomic.Int64

// testParams returns params with object names unique to this test.
func testParams(t *testing.T, iterations int) Params {
	base := fmt.Sprintf("/ipcfs-conv-%d-%d", os.Getpid(), testSeq.Add(1))
	p := DefaultParams()
	p.Iterations = iterations
	p.SemaphoreName, p.SharedMemoryName, p.MessageQueueName = base+"-sem", base+"-shm", base+"-mq"
	return p
}

// skipWithoutKind skips when the library's kinds are stubs in this build.
func skipWithoutKind(t *testing.T, err error) {
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("IPC kind not available in this build: %v", err)
	}
}

// waitFor polls until path exists in the host namespace or the deadline passes.
func waitFor(t *testing.T, path string, premiseDone <-chan error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f, err := ipcfs.New().OpenFile(path, 0, 0)
		if err == nil {
			f.Close()
			return
		}
		select {
		case err := <-premiseDone:
			skipWithoutKind(t, err)
			t.Fatalf("premise ended before creating %s: %v", path, err)
		case <-time.After(time.Millisecond):
		}
	}
	t.Fatalf("%s not created within 10s", path)
}

func TestConversationsVerifyEveryRoundTrip(t *testing.T) {
	tests := []struct {
		transport           string
		premise, conclusion func(context.Context, Params, Options) error
		waitPath            func(Params) string
	}{
		{"shm", ShmPremise, ShmConclusion, func(p Params) string { return "sem/" + strings.TrimPrefix(p.SemaphoreName, "/") }},
		{"mq", MqPremise, MqConclusion, func(p Params) string { return "mq/" + strings.TrimPrefix(p.MessageQueueName, "/") }},
	}
	for _, tt := range tests {
		t.Run(tt.transport, func(t *testing.T) {
			p := testParams(t, 200)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var premiseCount, conclusionCount atomic.Int64
			premiseDone := make(chan error, 1)
			go func() {
				premiseDone <- tt.premise(ctx, p, Options{Progress: func(n int) { premiseCount.Store(int64(n)) }})
			}()
			waitFor(t, tt.waitPath(p), premiseDone)
			if err := tt.conclusion(ctx, p, Options{Progress: func(n int) { conclusionCount.Store(int64(n)) }}); err != nil {
				cancel()
				<-premiseDone
				t.Fatalf("conclusion: %v", err)
			}
			if err := <-premiseDone; err != nil {
				t.Fatalf("premise: %v", err)
			}
			if premiseCount.Load() != 200 || conclusionCount.Load() != 200 {
				t.Errorf("verified round trips: premise %d, conclusion %d, want 200 each", premiseCount.Load(), conclusionCount.Load())
			}
			if err := CheckRemoved(nil, p, tt.transport); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPremiseRemovesObjectsWhenCancelled(t *testing.T) {
	for _, tc := range []struct {
		transport string
		premise   func(context.Context, Params, Options) error
	}{{"shm", ShmPremise}, {"mq", MqPremise}} {
		t.Run(tc.transport, func(t *testing.T) {
			p := testParams(t, 10)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			// No conclusion: premise waits for a reply until cancelled.
			go func() { done <- tc.premise(ctx, p, Options{}) }()
			paths, _ := Objects(p, tc.transport)
			waitFor(t, paths[len(paths)-1], done)
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("premise after cancel = %v, want context.Canceled", err)
			}
			if err := CheckRemoved(nil, p, tc.transport); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestConclusionWithoutPremiseSaysSo(t *testing.T) {
	p := testParams(t, 1)
	for name, f := range map[string]func(context.Context, Params, Options) error{"shm": ShmConclusion, "mq": MqConclusion} {
		err := f(context.Background(), p, Options{})
		skipWithoutKind(t, err)
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "premise running?") {
			t.Errorf("%s conclusion with no objects = %v, want fs.ErrNotExist and a hint", name, err)
		}
	}
}

// TestPremiseDetectsAWrongReply plays a conclusion that answers with
// something other than the digest: the premise must say so, and still
// remove its objects.
func TestPremiseDetectsAWrongReply(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := ipcfs.New()
	t.Run("shm", func(t *testing.T) {
		p := testParams(t, 5)
		done := make(chan error, 1)
		go func() { done <- ShmPremise(ctx, p, Options{}) }()
		waitFor(t, "sem/"+strings.TrimPrefix(p.SemaphoreName, "/"), done)
		sem, err := ns.OpenSem(p.SemaphoreName, os.O_RDWR, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sem.Close()
		mem, err := ns.OpenShm(p.SharedMemoryName, os.O_RDWR, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer mem.Close()
		if err := sem.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := mem.WriteAt([]byte("not the digest\x00"), 0); err != nil {
			t.Fatal(err)
		}
		if err := sem.Release(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `read "not the digest"`) {
			t.Errorf("premise = %v, want ErrCorrupt quoting the wrong reply", err)
		}
		if err := CheckRemoved(ns, p, "shm"); err != nil {
			t.Error(err)
		}
	})
	t.Run("mq", func(t *testing.T) {
		p := testParams(t, 5)
		done := make(chan error, 1)
		go func() { done <- MqPremise(ctx, p, Options{}) }()
		waitFor(t, "mq/"+strings.TrimPrefix(p.MessageQueueName, "/"), done)
		q, err := ns.OpenMq(p.MessageQueueName, os.O_RDWR, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		buf := make([]byte, QueueAttr.MessageSize)
		n, _, err := q.Receive(ctx, buf)
		if err != nil {
			t.Fatal(err)
		}
		if seed := string(buf[:n]); len(seed) != len("Mon Jan _2 15:04:05 2006") {
			t.Errorf("premise opened with %q, want the time as asctime writes it", seed)
		}
		if err := q.Send(ctx, []byte("not the digest"), 0); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, ErrCorrupt) {
			t.Errorf("premise = %v, want ErrCorrupt", err)
		}
		if err := CheckRemoved(ns, p, "mq"); err != nil {
			t.Error(err)
		}
	})
}
