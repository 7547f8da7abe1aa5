package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
)

// lsPaths returns the paths ls prints for args.
func lsPaths(t *testing.T, ns ipcfs.Namespace, args ...string) []string {
	t.Helper()
	out := strings.TrimSuffix(mustRun(t, ns, "", append([]string{"ls"}, args...)...), "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

func TestRmPatternsRemoveMatchesAndSayWhich(t *testing.T) {
	ns := fstest.NewMemFS()
	for _, p := range []string{"shm/job-1", "shm/job-2", "shm/keep", "sem/job-3", "shm/a*b", "shm/aXb"} {
		mustRun(t, ns, "", "mk", p)
	}
	// A quoted name is literal: only a*b goes, not aXb.
	if out := mustRun(t, ns, "", "rm", `shm/"a*b"`); out != "" {
		t.Errorf("rm of a quoted name printed %q", out)
	}
	if got := lsPaths(t, ns, "shm"); !slices.Equal(got, []string{"shm/aXb", "shm/job-1", "shm/job-2", "shm/keep"}) {
		t.Errorf("after rm shm/\"a*b\": %q", got)
	}
	out := mustRun(t, ns, "", "rm", "shm/job-*", "shm/aXb")
	if out != "removed shm/job-1\nremoved shm/job-2\n" {
		t.Errorf("rm shm/job-* printed %q", out)
	}
	if got := lsPaths(t, ns); !slices.Equal(got, []string{"shm/keep", "sem/job-3"}) {
		t.Errorf("after rm shm/job-*: %q; want the other kind's job-3 kept", got)
	}
	// No match is an error for that argument; the others are still done.
	r := wantExit(t, ns, 1, "ipcfs: shm/nothing-*: no object matches\n", "rm", "shm/nothing-*", "sem/job-?")
	if r.stdout != "removed sem/job-3\n" {
		t.Errorf("stdout %q, want sem/job-3 removed", r.stdout)
	}
	wantExit(t, ns, 2, "", "rm", "shm/[")
}

func TestRmAllEmptiesKinds(t *testing.T) {
	ns := fstest.NewMemFS()
	for _, p := range []string{"shm/a", "shm/b", "mq/c", "sem/d"} {
		mustRun(t, ns, "", "mk", p)
	}
	out := mustRun(t, ns, "", "rm", "--all", "shm", "mq/")
	if out != "removed shm/a\nremoved shm/b\nremoved mq/c\n" {
		t.Errorf("rm --all shm mq printed %q", out)
	}
	if got := lsPaths(t, ns); !slices.Equal(got, []string{"sem/d"}) {
		t.Errorf("after rm --all shm mq: %q", got)
	}
	if out := mustRun(t, ns, "", "rm", "--all", "shm"); out != "" {
		t.Errorf("rm --all of an empty kind printed %q", out)
	}
	wantExit(t, ns, 2, "", "rm", "--all")
	wantExit(t, ns, 2, "", "rm", "--all", "sem/d")
	// Queues cannot be listed without the mqueue mount: an error, not a guess.
	un := fstest.NewMemFS(fstest.MqueueUnmounted())
	mustRun(t, un, "", "mk", "mq/q")
	r := wantExit(t, un, 1, "", "rm", "--all", "mq")
	if !strings.HasPrefix(r.stderr, "ipcfs: mq: the mqueue file system is not mounted") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestRmSeveralPaths(t *testing.T) {
	forEachNS(t, []string{"shm", "sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		a, b := testPath(t, ns, "shm"), testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", a)
		mustRun(t, ns, "", "mk", b)
		if out := mustRun(t, ns, "", "rm", a, b); out != "" {
			t.Errorf("rm of named objects printed %q", out)
		}
		for _, p := range []string{a, b} {
			wantExit(t, ns, 1, "ipcfs: "+p+": no such object\n", "stat", p)
		}
	})
}
