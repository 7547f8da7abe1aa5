package main

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
)

func TestParseArgsAllowsFlagsAnywhere(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		n       int
		json    bool
		wantErr bool
	}{
		{args: []string{"mq/x"}, pos: []string{"mq/x"}, n: 1},
		{args: []string{"-n", "3", "mq/x"}, pos: []string{"mq/x"}, n: 3},
		{args: []string{"mq/x", "-n", "3", "--json"}, pos: []string{"mq/x"}, n: 3, json: true},
		{args: []string{"a", "--n=4", "b"}, pos: []string{"a", "b"}, n: 4},
		{args: []string{"a", "--", "-n", "5"}, pos: []string{"a", "-n", "5"}, n: 1},
		{args: []string{"-", "a"}, pos: []string{"-", "a"}, n: 1},
		{args: []string{"--json", "--", "--json"}, pos: []string{"--json"}, n: 1, json: true},
		{args: []string{"a", "-n"}, wantErr: true},
		{args: []string{"a", "-n", "x"}, wantErr: true},
		{args: []string{"--bogus", "a"}, wantErr: true},
		{args: []string{"--json=maybe"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			fl := flag.NewFlagSet("test", flag.ContinueOnError)
			fl.SetOutput(devNull{})
			n := fl.Int("n", 1, "")
			js := fl.Bool("json", false, "")
			pos, err := parseArgs(fl, tt.args)
			if tt.wantErr {
				var u *usageError
				if !errors.As(err, &u) {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.pos) || *n != tt.n || *js != tt.json {
				t.Errorf("got pos %q n %d json %v, want %q %d %v", pos, *n, *js, tt.pos, tt.n, tt.json)
			}
		})
	}
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

func TestParseArgsHelpIsErrHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		fl := flag.NewFlagSet("test", flag.ContinueOnError)
		fl.SetOutput(devNull{})
		if _, err := parseArgs(fl, []string{"x", arg}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: err = %v, want flag.ErrHelp", arg, err)
		}
	}
}

func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	ns := fstest.NewMemFS()
	mustRun(t, ns, "", "mk", "mq/q", "--max-messages", "2", "--message-size", "16")
	if got := mustRun(t, ns, "", "--json", "ls"); !strings.HasPrefix(got, "[\n{\"kind\":\"mq\"") {
		t.Errorf("ipcfs --json ls = %q, want JSON", got)
	}
	// A flag with a value keeps it, even before the command.
	wantExit(t, ns, 3, "ipcfs: mq/q: would block\n", "--timeout", "0", "recv", "mq/q")
	wantExit(t, ns, 3, "ipcfs: mq/q: would block\n", "--timeout=0", "recv", "mq/q")
	// A flag the command does not take is its usage error.
	r := wantExit(t, ns, 2, "", "--priority", "1", "ls")
	if !strings.HasPrefix(r.stderr, "ipcfs ls: unknown flag --priority") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = wantExit(t, ns, 2, "", "--json")
	if !strings.HasPrefix(r.stderr, "ipcfs: --json: a command must follow the flags\nusage: ipcfs") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestVersionFlag(t *testing.T) {
	want := "ipcfs " + ipcfs.Version() + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	for _, args := range [][]string{{"--version"}, {"-V"}, {"-version"}, {"version"}, {"-V", "ls"}} {
		if got := mustRun(t, nil, "", args...); got != want {
			t.Errorf("ipcfs %q = %q, want %q", args, got, want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	for arg, want := range map[string]string{
		"lss":     `ipcfs: unknown command "lss"; did you mean "ls"? (run 'ipcfs help')` + "\n",
		"stats":   `ipcfs: unknown command "stats"; did you mean "stat"? (run 'ipcfs help')` + "\n",
		"recieve": `ipcfs: unknown command "recieve"; did you mean "recv"? (run 'ipcfs help')` + "\n",
		"lim":     `ipcfs: unknown command "lim"; did you mean "limits"? (run 'ipcfs help')` + "\n",
		"xyzzy":   `ipcfs: unknown command "xyzzy" (run 'ipcfs help')` + "\n",
	} {
		wantExit(t, nil, 2, want, arg)
	}
	r := wantExit(t, nil, 2, "", "ls", "--jsn")
	if !strings.HasPrefix(r.stderr, "ipcfs ls: unknown flag --jsn; did you mean --json?\n") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = wantExit(t, nil, 2, "", "mk", "shm/x", "--exists-ok")
	if !strings.HasPrefix(r.stderr, "ipcfs mk: unknown flag --exists-ok; did you mean --exist-ok?\n") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestNegativeCountIsACountError(t *testing.T) {
	r := wantExit(t, fstest.NewMemFS(), 2, "", "post", "sem/x", "-1")
	if !strings.HasPrefix(r.stderr, `ipcfs post: count "-1": must be a positive number (1 or more)`) {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestHelpWritesLongFlagsWithTwoDashes(t *testing.T) {
	out := mustRun(t, nil, "", "help", "mk")
	if !strings.Contains(out, "\n  --exist-ok\n") || !strings.Contains(out, "\n  --size N\n") || strings.Contains(out, "\n  -size") {
		t.Errorf("help mk:\n%s", out)
	}
	if out := mustRun(t, nil, "", "help", "recv"); !strings.Contains(out, "\n  -n N\n") || !strings.Contains(out, "\n  --timeout D\n") {
		t.Errorf("help recv:\n%s", out)
	}
}
