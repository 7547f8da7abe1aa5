package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
)

// semValue returns the value stat --json reports for the semaphore at p.
func semValue(t *testing.T, ns ipcfs.Namespace, p string) string {
	t.Helper()
	return jsonString(decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))["value"])
}

func TestMkSemSetsValue(t *testing.T) {
	forEachNS(t, []string{"sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p, "--value", "3", "--excl")
		st := decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))
		for k, want := range map[string]string{"kind": "sem", "path": p, "value": "3", "mode": "0600"} {
			if got := jsonString(st[k]); got != want {
				t.Errorf("stat %s = %s, want %s", k, got, want)
			}
		}
		for _, k := range []string{"messages", "max_messages", "message_size"} {
			if _, ok := st[k]; ok {
				t.Errorf("a semaphore's stat has %s: %v", k, st)
			}
		}
		if out := mustRun(t, ns, "", "stat", p); !strings.Contains(out, "value:        3\n") {
			t.Errorf("stat lacks the value:\n%s", out)
		}
		// An existing semaphore keeps its value: mk fails.
		wantExit(t, ns, 1, "ipcfs: "+p+mkExists, "mk", p, "--value", "9")
		if got := semValue(t, ns, p); got != "3" {
			t.Errorf("value after mk of an existing semaphore = %s, want 3", got)
		}
		wantExit(t, ns, 1, "ipcfs: "+p+mkExists, "mk", p, "--excl")
	})
}

func TestPostWaitCount(t *testing.T) {
	forEachNS(t, []string{"sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p)
		wantExit(t, ns, 3, "ipcfs: "+p+": would block\n", "wait", p, "--timeout", "0")
		wantExit(t, ns, 3, "ipcfs: "+p+": timed out\n", "wait", "--timeout", "20ms", p)
		mustRun(t, ns, "", "post", p, "2")
		mustRun(t, ns, "", "post", p)
		if got := semValue(t, ns, p); got != "3" {
			t.Errorf("value after posting 3 = %s", got)
		}
		mustRun(t, ns, "", "wait", p)
		mustRun(t, ns, "", "wait", p, "--timeout", "0")
		mustRun(t, ns, "", "wait", p, "--timeout", "1m")
		if got := semValue(t, ns, p); got != "0" {
			t.Errorf("value after three waits = %s, want 0", got)
		}
		wantExit(t, ns, 3, "", "wait", p, "--timeout", "0")
	})
}

func TestWaitWokenByPost(t *testing.T) {
	forEachNS(t, []string{"sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p)
		done := make(chan result)
		go func() { done <- runCLI(t, ns, "", "wait", p) }()
		mustRun(t, ns, "", "post", p)
		if r := <-done; r.code != 0 || r.stderr != "" {
			t.Errorf("wait: exit %d, stderr %q", r.code, r.stderr)
		}
		if got := semValue(t, ns, p); got != "0" {
			t.Errorf("value = %s, want 0", got)
		}
	})
}

func TestWaitInterruptedTakesNothing(t *testing.T) {
	forEachNS(t, []string{"sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := runCLICtx(t, ctx, ns, "", "wait", p)
		if want := "ipcfs: " + p + ": interrupted\n"; r.code != exitInterrupted || r.stderr != want {
			t.Errorf("exit %d, stderr %q; want 130, %q", r.code, r.stderr, want)
		}
		mustRun(t, ns, "", "post", p)
		if got := semValue(t, ns, p); got != "1" {
			t.Errorf("value = %s, want 1", got)
		}
	})
}

func TestPostOverflowExits1(t *testing.T) {
	forEachNS(t, []string{"sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p, "--value", "2147483647")
		r := wantExit(t, ns, 1, "", "post", p)
		if !strings.HasPrefix(r.stderr, "ipcfs: "+p+": ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr %q, want one line naming %s", r.stderr, p)
		}
		if got := semValue(t, ns, p); got != "2147483647" {
			t.Errorf("value after a failed post = %s", got)
		}
	})
}
