package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// A test that needs the demo in a process of its own (to signal it) runs
// this test binary with demoTestMainEnv set to the demo's arguments.
const demoTestMainEnv = "IPCFS_DEMO_TEST_MAIN"

func init() {
	if args, ok := os.LookupEnv(demoTestMainEnv); ok && os.Getenv(demoPeerEnv) == "" {
		os.Exit(runDemo(context.Background(), strings.Fields(args), os.Stdout, os.Stderr))
	}
}

// demoSkipWithoutKinds skips when this build's IPC kinds are stubs.
func demoSkipWithoutKinds(t *testing.T) {
	t.Helper()
	for _, dir := range []string{"shm", "sem", "mq"} {
		f, err := ipcfs.New().OpenFile(dir+"/ipcfs-demo-probe-never-created", 0, 0)
		if err == nil {
			f.Close()
		}
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("%s is not available in this build: %v", dir, err)
		}
	}
}

// demoAssertGone fails unless every namespace path is gone, and the lock
// of the demo run they belong to.
func demoAssertGone(t *testing.T, paths []string) {
	t.Helper()
	if len(paths) == 0 {
		t.Error("no objects to check")
	}
	if m := demoNameRE.FindStringSubmatch(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(paths[0], "shm/"), "sem/"), "mq/")); m != nil {
		paths = append(paths, "shm/"+m[1]+"-lock")
	}
	for _, p := range paths {
		f, err := ipcfs.New().OpenFile(p, 0, 0)
		if err == nil {
			f.Close()
			ipcfs.New().Remove(p)
			t.Errorf("%s was left behind", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("checking %s: %v", p, err)
		}
	}
}

func TestDemoRunsBothConversationsAndRemovesEverything(t *testing.T) {
	demoSkipWithoutKinds(t)
	var stdout, stderr bytes.Buffer
	code := runDemo(context.Background(), []string{"--iterations", "200"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"shm+sem  200 round trips, every digest verified",
		"mq       200 round trips, every digest verified",
		"round trips/s",
		"ok: nothing left behind",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The objects are named in the progress lines: check them ourselves.
	var paths []string
	for _, m := range regexp.MustCompile(`talking with pid \d+ over ([^:]+):`).FindAllStringSubmatch(out, -1) {
		paths = append(paths, strings.Fields(m[1])...)
	}
	if len(paths) != 3 {
		t.Errorf("objects named in the output: %q, want 3", paths)
	}
	demoAssertGone(t, paths)
}

func TestDemoJSONSummary(t *testing.T) {
	demoSkipWithoutKinds(t)
	for _, tr := range []string{"shm", "mq"} {
		t.Run(tr, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runDemo(context.Background(), []string{"--json", "--transport", tr, "--iterations", "50"}, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
			}
			var r demoReport
			if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
				t.Fatalf("stdout is not one JSON report (%v):\n%s", err, &stdout)
			}
			if !r.OK || r.Interrupted || r.Iterations != 50 || len(r.Transports) != 1 {
				t.Fatalf("report %+v, want ok, 50 iterations, one transport", r)
			}
			res := r.Transports[0]
			if res.Transport != tr || !res.Verified || !res.Removed || res.RoundTrips != 50 || res.RoundTripsPerSec <= 0 || res.Error != "" {
				t.Errorf("transport result %+v", res)
			}
			wantObjects := map[string]int{"shm": 2, "mq": 1}[tr]
			if len(res.Objects) != wantObjects {
				t.Errorf("objects %q, want %d", res.Objects, wantObjects)
			}
			demoAssertGone(t, res.Objects)
		})
	}
}

func TestDemoRejectsBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown transport", []string{"--transport", "pipe"}},
		{"zero iterations", []string{"--iterations", "0"}},
		{"not a number", []string{"--iterations", "many"}},
		{"unknown flag", []string{"--colour"}},
		{"extra argument", []string{"now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runDemo(context.Background(), tt.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stderr.Len() == 0 {
				t.Error("nothing on stderr")
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %q, want nothing", &stdout)
			}
		})
	}
}

// demoStarted is a demo running in its own process, stopped at the point
// where its conversation is under way.
type demoStarted struct {
	cmd        *exec.Cmd
	childPid   int
	objects    []string
	stdoutRest chan string
}

// demoStartProcess starts the demo with args in a new process and waits for
// its first "talking with pid" line.
func demoStartProcess(t *testing.T, args string) *demoStarted {
	t.Helper()
	return demoStartCommand(t, testenv.Self("-test.run=^$"), args)
}

// demoStartCommand is demoStartProcess for a command that runs this test
// binary (through unshare, say).
func demoStartCommand(t *testing.T, cmd *exec.Cmd, args string) *demoStarted {
	t.Helper()
	// A process group of its own, as a shell gives a foreground job.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), demoTestMainEnv+"="+args)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	lines := make(chan string)
	rest := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "talking with pid") {
				lines <- sc.Text()
				break
			}
		}
		var b strings.Builder
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		close(lines)
		rest <- b.String()
	}()
	var line string
	select {
	case l, ok := <-lines:
		if !ok {
			out := <-rest
			cmd.Wait()
			t.Fatalf("the demo ended without starting a conversation: %s", out)
		}
		line = l
	case <-time.After(time.Minute):
		t.Fatal("no progress line within a minute")
	}
	m := regexp.MustCompile(`talking with pid (\d+) over ([^:]+):`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("progress line %q does not name the pid and objects", line)
	}
	pid, _ := strconv.Atoi(m[1])
	return &demoStarted{cmd: cmd, childPid: pid, objects: strings.Fields(m[2]), stdoutRest: rest}
}

// demoProcessGone reports whether pid has exited (gone, or a zombie).
func demoProcessGone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, after, _ := strings.Cut(string(stat), ") ")
	return strings.HasPrefix(after, "Z")
}

// demoWaitGone waits for pid to exit, for up to 30 seconds.
func demoWaitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !demoProcessGone(pid); {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("conclusion pid %d still running", pid)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
	}
}

func TestDemoInterruptedRemovesWhatItCreated(t *testing.T) {
	demoSkipWithoutKinds(t)
	tests := []struct {
		name, transport string
		pid             func(d *demoStarted) int
	}{
		// kill -INT of the demo alone.
		{"shm/demo only", "shm", func(d *demoStarted) int { return d.cmd.Process.Pid }},
		{"mq/demo only", "mq", func(d *demoStarted) int { return d.cmd.Process.Pid }},
		// Ctrl-C on a terminal: the whole process group, conclusion included.
		{"shm/process group", "shm", func(d *demoStarted) int { return -d.cmd.Process.Pid }},
		{"mq/process group", "mq", func(d *demoStarted) int { return -d.cmd.Process.Pid }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := demoStartProcess(t, "--iterations 1000000000 --transport "+tt.transport)
			if err := syscall.Kill(tt.pid(d), syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			// Read all of stdout before Wait, which closes the pipe.
			rest := <-d.stdoutRest
			err := d.cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("demo after SIGINT: %v, want exit status 130", err)
			}
			if !strings.Contains(rest, "interrupted") {
				t.Errorf("output after SIGINT does not say interrupted:\n%s", rest)
			}
			demoWaitGone(t, d.childPid)
			demoAssertGone(t, d.objects)
		})
	}
}

func TestDemoRunsAgainAfterAKilledRun(t *testing.T) {
	demoSkipWithoutKinds(t)
	d := demoStartProcess(t, "--iterations 1000000000 --transport shm")
	// SIGKILL: no chance to clean up. The conclusion dies with it.
	d.cmd.Process.Kill()
	<-d.stdoutRest
	d.cmd.Wait()
	demoWaitGone(t, d.childPid)

	var stdout, stderr bytes.Buffer
	code := runDemo(context.Background(), []string{"--json", "--iterations", "20"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("second run: exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	var r demoReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("stdout is not JSON (%v):\n%s", err, &stdout)
	}
	for _, obj := range d.objects {
		found := false
		for _, s := range r.StaleRemoved {
			found = found || s == obj
		}
		if !found {
			t.Errorf("the killed run's %s is not among the stale objects removed: %q", obj, r.StaleRemoved)
		}
	}
	demoAssertGone(t, d.objects)
}
