package examples_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/examples/conversation"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// binDir holds the programs built for this test run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ipcfs-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildMu  sync.Mutex
	builtErr = map[string]error{}
)

// program returns the path of example prog built from Go ("go") or C ("c"),
// building it on first use.
func program(t *testing.T, lang, prog string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	bin := filepath.Join(binDir, lang+"-"+prog)
	err, built := builtErr[bin]
	if !built {
		var cmd *exec.Cmd
		if lang == "go" {
			cmd = exec.Command("go", "build", "-o", bin, "./"+prog)
		} else {
			cmd = testenv.CCCommand("-O2", "-Wall", "-pthread", "-o", bin, filepath.Join("c", prog+".c"), "-lrt")
		}
		if out, cerr := cmd.CombinedOutput(); cerr != nil {
			err = fmt.Errorf("%v: %v\n%s", cmd.Args, cerr, out)
		}
		builtErr[bin] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

var nameSeq struct {
	sync.Mutex
	n int
}

// writeParams writes a params.txt with object names unique to this test into
// a new temporary directory and returns the directory and the params.
func writeParams(t *testing.T, iterations int) (string, conversation.Params) {
	t.Helper()
	nameSeq.Lock()
	nameSeq.n++
	base := fmt.Sprintf("/ipcfs-ex%d-%d", os.Getpid(), nameSeq.n)
	nameSeq.Unlock()
	p := conversation.DefaultParams()
	p.Iterations = iterations
	p.SemaphoreName, p.SharedMemoryName, p.MessageQueueName = base+"-sem", base+"-shm", base+"-mq"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "params.txt"), []byte(p.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAll(p) })
	return dir, p
}

// removeAll removes what a failed run may have left behind.
func removeAll(p conversation.Params) {
	for _, transport := range []string{"shm", "mq"} {
		paths, _ := conversation.Objects(p, transport)
		for _, path := range paths {
			ipcfs.New().Remove(path)
		}
	}
}

// waitUntilExists polls until the object at path can be opened, the
// premise exits, or 30 seconds pass.
func waitUntilExists(t *testing.T, path string, premiseExited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, err := ipcfs.New().OpenFile(path, 0, 0)
		if err == nil {
			f.Close()
			return
		}
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("the IPC kinds are not available in this build: %v", err)
		}
		select {
		case <-premiseExited:
			t.Fatalf("the premise exited before creating %s", path)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not created within 30s: %v", path, err)
		}
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
}

type run struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func start(t *testing.T, ctx context.Context, dir, bin string) *run {
	t.Helper()
	r := &run{cmd: testenv.CommandContext(ctx, bin), done: make(chan struct{})}
	r.cmd.Dir = dir // each program reads params.txt from its working directory
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { r.cmd.Process.Kill(); <-r.done })
	return r
}

// check waits for the program to end and reports whether it succeeded.
func (r *run) check(t *testing.T, who string, iterations int) bool {
	t.Helper()
	<-r.done
	if r.err != nil {
		t.Errorf("%s: %v\nstdout:\n%s\nstderr:\n%s", who, r.err, &r.stdout, &r.stderr)
		return false
	}
	if want := fmt.Sprintf("%d iterations complete", iterations); !strings.Contains(r.stdout.String(), want) {
		t.Errorf("%s did not say %q; stdout:\n%s", who, want, &r.stdout)
		return false
	}
	return true
}

// requireKinds skips the test when one of the kinds ("shm", "sem", "mq") is
// a stub in this build.
func requireKinds(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		f, err := ipcfs.New().OpenFile(dir+"/ipcfs-probe-never-created", 0, 0)
		if err == nil {
			f.Close()
		}
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("%s is not available in this build: %v", dir, err)
		}
	}
}

// TestPairings runs every pairing of Go and C speakers, for both
// conversations, and checks both sides verify every digest of 2,000 round
// trips, exit 0, and leave nothing behind.
func TestPairings(t *testing.T) {
	const iterations = 2000
	transports := []struct {
		name                string
		premise, conclusion string
		kinds               []string
	}{
		{"shm", "premise", "conclusion", []string{"shm", "sem"}},
		{"mq", "mqpremise", "mqconclusion", []string{"mq"}},
	}
	pairings := []struct{ premise, conclusion string }{
		{"go", "go"}, {"go", "c"}, {"c", "go"}, {"c", "c"},
	}
	for _, tr := range transports {
		for _, pair := range pairings {
			t.Run(fmt.Sprintf("%s/%s-premise_%s-conclusion", tr.name, pair.premise, pair.conclusion), func(t *testing.T) {
				requireKinds(t, tr.kinds...)
				premiseBin := program(t, pair.premise, tr.premise)
				conclusionBin := program(t, pair.conclusion, tr.conclusion)
				dir, p := writeParams(t, iterations)
				paths, err := conversation.Objects(p, tr.name)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				defer cancel()
				premise := start(t, ctx, dir, premiseBin)
				// The premise creates the semaphore (or the queue) last.
				waitUntilExists(t, paths[len(paths)-1], premise.done)
				conclusion := start(t, ctx, dir, conclusionBin)
				if !conclusion.check(t, pair.conclusion+" "+tr.conclusion, iterations) {
					premise.cmd.Process.Kill() // it would wait for a reply forever
				}
				premise.check(t, pair.premise+" "+tr.premise, iterations)
				if err := conversation.CheckRemoved(nil, p, tr.name); err != nil {
					t.Error(err)
				}
			})
		}
	}
}
