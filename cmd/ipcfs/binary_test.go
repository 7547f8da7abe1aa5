package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// TestBinary builds the real binary and runs it: ls, a usage error, and a
// Ctrl-C that ends a blocking wait.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ipcfs")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	wait := func(cmd *exec.Cmd) int {
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return exit.ExitCode()
		case err != nil:
			t.Fatalf("%s: %v", cmd, err)
		}
		return 0
	}
	start := func(args ...string) (cmd *exec.Cmd, stdout, stderr *bytes.Buffer) {
		stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
		cmd = testenv.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, stdout, stderr
	}
	runBin := func(args ...string) (code int, stdout, stderr string) {
		cmd, o, e := start(args...)
		code = wait(cmd)
		return code, o.String(), e.String()
	}

	t.Run("ls", func(t *testing.T) {
		code, stdout, stderr := runBin("ls", "--json")
		var list []map[string]any
		if err := json.Unmarshal([]byte(stdout), &list); code != 0 || err != nil {
			t.Errorf("ipcfs ls --json: exit %d, stderr %q, stdout not a JSON array (%v): %q", code, stderr, err, stdout)
		}
		// The stderr of ls is empty or the one-line mqueue warning.
		if stderr != "" && (!strings.HasPrefix(stderr, "ipcfs: warning: mq not listed") || strings.Count(stderr, "\n") != 1) {
			t.Errorf("ipcfs ls stderr %q", stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		code, stdout, stderr := runBin("stat", "--bogus", "shm/x")
		if code != 2 || stdout != "" {
			t.Errorf("ipcfs stat --bogus: exit %d, stdout %q; want 2 and nothing", code, stdout)
		}
		if want := "ipcfs stat: flag provided but not defined: -bogus\nusage: ipcfs stat [--json] KIND/NAME\n"; stderr != want {
			t.Errorf("stderr %q, want %q", stderr, want)
		}
	})

	t.Run("ctrl-c", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("reads glibc's semaphore file to see the waiter")
		}
		ns := ipcfs.New()
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p)
		cmd, _, stderr := start("wait", p)
		// The waiter count (nwaiters, in the layout of this machine) rises
		// when the process is blocked in the wait, after main installed
		// its signal handling.
		file := "/dev/shm/sem." + strings.TrimPrefix(p, "sem/")
		deadline := time.Now().Add(30 * time.Second)
		for {
			b, err := os.ReadFile(file)
			if err != nil || len(b) < sem.Host.Size {
				t.Fatalf("read %s: %v (%d bytes)", file, err, len(b))
			}
			if _, n, _ := sem.Host.Fields(b); n != 0 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				wait(cmd)
				t.Fatal("ipcfs wait never blocked")
			}
			time.Sleep(time.Millisecond)
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if code := wait(cmd); code != 1 || stderr.String() != "ipcfs: "+p+": interrupted\n" {
			t.Errorf("after Ctrl-C: exit %d, stderr %q; want 1 and %q", code, stderr, "ipcfs: "+p+": interrupted\n")
		}
		if got := semValue(t, ns, p); got != "0" {
			t.Errorf("value after an interrupted wait = %s, want 0", got)
		}
	})
}
