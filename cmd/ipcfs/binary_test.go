package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryLsAndUsageError builds the real binary and runs it once for ls
// and once for a usage error, checking exit statuses and streams.
func TestBinaryLsAndUsageError(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ipcfs")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	runBin := func(args ...string) (code int, stdout, stderr string) {
		var o, e bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("%s %q: %v", bin, args, err)
		}
		return code, o.String(), e.String()
	}

	code, stdout, stderr := runBin("ls", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(stdout), &list); code != 0 || err != nil {
		t.Errorf("ipcfs ls --json: exit %d, stderr %q, stdout not a JSON array (%v): %q", code, stderr, err, stdout)
	}
	// The stderr of ls is empty or the one-line mqueue warning.
	if stderr != "" && (!strings.HasPrefix(stderr, "ipcfs: warning: mq not listed") || strings.Count(stderr, "\n") != 1) {
		t.Errorf("ipcfs ls stderr %q", stderr)
	}

	code, stdout, stderr = runBin("stat", "--bogus", "shm/x")
	if code != 2 || stdout != "" {
		t.Errorf("ipcfs stat --bogus: exit %d, stdout %q; want 2 and nothing", code, stdout)
	}
	if want := "ipcfs stat: flag provided but not defined: -bogus\nusage: ipcfs stat [--json] KIND/NAME\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}
