package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
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

func TestExitCodeMapsErrors(t *testing.T) {
	pe := func(err error) error {
		return &cliError{path: "mq/x", err: &fs.PathError{Op: "receive", Path: "/x", Err: err}}
	}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"usage", usagef("bad"), 2},
		{"deadline", pe(os.ErrDeadlineExceeded), 3},
		{"context deadline", pe(context.DeadlineExceeded), 3},
		{"would block", pe(ipcfs.ErrWouldBlock), 3},
		{"raw EAGAIN", pe(syscall.EAGAIN), 3},
		{"ETIMEDOUT", pe(syscall.ETIMEDOUT), 3},
		{"canceled", pe(context.Canceled), 1},
		{"not exist", pe(fs.ErrNotExist), 1},
		{"other", errors.New("boom"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestErrorTextNamesPathAndCause(t *testing.T) {
	pe := func(err error) error { return &fs.PathError{Op: "open", Path: "/x", Err: err} }
	tests := []struct {
		err  error
		want string
	}{
		{pe(syscall.ENOENT), "shm/x: no such object"},
		{pe(fs.ErrExist), "shm/x: already exists"},
		{pe(syscall.EACCES), "shm/x: permission denied"},
		{pe(os.ErrDeadlineExceeded), "shm/x: timed out"},
		{context.DeadlineExceeded, "shm/x: timed out"},
		{pe(ipcfs.ErrWouldBlock), "shm/x: would block"},
		{context.Canceled, "shm/x: interrupted"},
		{pe(syscall.EMSGSIZE), "shm/x: message too long"},
		{errors.New("plain"), "shm/x: plain"},
	}
	for _, tt := range tests {
		if got := errorText("shm/x", tt.err); got != tt.want {
			t.Errorf("errorText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestParseObjectChecksKindAndName(t *testing.T) {
	tests := []struct {
		arg      string
		kinds    []*kind.Kind
		want     object
		usage    bool // a usage error (exit 2)
		inval    bool // an invalid name or path (exit 1, fs.ErrInvalid)
		notExist bool // a path the namespace says cannot exist (exit 1, fs.ErrNotExist)
	}{
		{arg: "shm/x", want: object{kind.Shm, "x"}},
		{arg: "mq/jobs", want: object{kind.Mq, "jobs"}},
		{arg: "sem/lock", kinds: []*kind.Kind{kind.Sem}, want: object{kind.Sem, "lock"}},
		{arg: "sem/lock", kinds: []*kind.Kind{kind.Shm}, usage: true},
		{arg: "shm", usage: true},
		{arg: "shm/", usage: true},
		{arg: "x", usage: true},
		{arg: "dev/x", usage: true},
		// The namespace's own parser: "shm/a/b" is a path under an object,
		// which cannot exist, as ns.Stat("shm/a/b") says.
		{arg: "shm/a/b", notExist: true},
		{arg: "shm//x", inval: true},
		{arg: "shm/..", inval: true},
		{arg: "shm/sem.x", inval: true},
		{arg: "sem/" + longName(252), inval: true},
		{arg: "shm/" + longName(255), want: object{kind.Shm, longName(255)}},
	}
	for _, tt := range tests {
		got, err := parseObject(tt.arg, tt.kinds...)
		var u *usageError
		switch {
		case tt.usage:
			if !errors.As(err, &u) {
				t.Errorf("%q: err = %v, want a usage error", tt.arg, err)
			}
		case tt.inval:
			if !errors.Is(err, fs.ErrInvalid) || errors.As(err, &u) {
				t.Errorf("%q: err = %v, want fs.ErrInvalid", tt.arg, err)
			}
		case tt.notExist:
			if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &u) {
				t.Errorf("%q: err = %v, want fs.ErrNotExist", tt.arg, err)
			}
		case err != nil || got != tt.want:
			t.Errorf("%q: got %v, %v; want %v", tt.arg, got, err, tt.want)
		}
	}
}

func longName(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

func TestFlagValuesParse(t *testing.T) {
	sizes := map[string]int64{"0": 0, "4096": 4096, "4k": 4096, "2M": 2 << 20, "1g": 1 << 30}
	for s, want := range sizes {
		if got, err := parseSize(s); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1", "k", "1.5k", "x", "99999999999999999g"} {
		if _, err := parseSize(s); err == nil {
			t.Errorf("parseSize(%q) succeeded, want an error", s)
		}
	}
	var m modeFlag
	if err := m.Set("0640"); err != nil || m != 0o640 || m.String() != "0640" {
		t.Errorf("mode 0640: got %v %v", m, err)
	}
	for _, s := range []string{"8", "01000", "rw", "-1"} {
		if err := m.Set(s); err == nil {
			t.Errorf("mode %q accepted, want an error", s)
		}
	}
	var to timeoutFlag
	if err := to.Set("250ms"); err != nil || to.d != 250*time.Millisecond || !to.set || to.nonblocking() {
		t.Errorf("timeout 250ms: got %+v %v", to, err)
	}
	if err := to.Set("0"); err != nil || !to.nonblocking() {
		t.Errorf("timeout 0: got %+v %v", to, err)
	}
	for _, s := range []string{"-1s", "soon", "5"} {
		if err := to.Set(s); err == nil {
			t.Errorf("timeout %q accepted, want an error", s)
		}
	}
}

// TestObjectPathsRefusedAsTheNamespaceRefusesThem: the tool reads object
// paths with the namespace's own parser, so a path ns.Remove refuses is
// refused by rm with the same error, never taken for another object
// ("shm//x" is not "shm/x").
func TestObjectPathsRefusedAsTheNamespaceRefusesThem(t *testing.T) {
	forEachNS(t, nil, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", p, "--size", "1")
		name := strings.TrimPrefix(p, "shm/")
		for _, arg := range []string{"shm//" + name, "shm/" + name + "/x", "shm/./" + name, "shm/" + name + "/"} {
			nsErr := ns.Remove(arg)
			_, cliErr := parseObject(arg)
			for _, target := range []error{fs.ErrInvalid, fs.ErrNotExist} {
				if errors.Is(nsErr, target) != errors.Is(cliErr, target) {
					t.Errorf("%q: ns.Remove = %v, the tool's parser = %v; want the same refusal", arg, nsErr, cliErr)
				}
			}
			if nsErr == nil {
				t.Errorf("ns.Remove(%q) succeeded", arg)
			}
			if r := runCLI(t, ns, "", "rm", arg); r.code == exitOK {
				t.Errorf("ipcfs rm %q succeeded; want it refused as ns.Remove refuses it", arg)
			}
		}
		if _, err := ns.Stat(p); err != nil {
			t.Errorf("after the refused removals, %s: %v; want it still there", p, err)
		}
	})
}
