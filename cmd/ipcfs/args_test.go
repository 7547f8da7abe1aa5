package main

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

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
		// Quoted names are Go string literals, taken literally.
		{arg: `shm/"a*b"`, want: object{kind.Shm, "a*b"}},
		{arg: `mq/"\xff\x1b"`, want: object{kind.Mq, "\xff\x1b"}},
		{arg: `sem/"x"`, kinds: []*kind.Kind{kind.Shm}, usage: true},
		{arg: `shm/"unterminated`, usage: true},
		{arg: `shm/"a"b"`, usage: true},
		{arg: `shm/"sem.x"`, inval: true},
		{arg: `shm//x`, inval: true},
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
		// The quoted form refuses a second slash as "shm//x" is refused.
		for _, arg := range []string{`shm/"/` + name + `"`, `shm/"` + name + `/x"`, `shm/"."`, `shm/""`, `shm/"a\x00b"`} {
			_, err := parseObject(arg)
			if !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("parseObject(%q) = %v; want fs.ErrInvalid", arg, err)
			}
			if r := runCLI(t, ns, "", "rm", arg); r.code != exitError {
				t.Errorf("ipcfs rm %q: exit %d (stderr %q); want 1", arg, r.code, r.stderr)
			}
		}
		if _, err := ns.Stat(p); err != nil {
			t.Errorf("after the refused removals, %s: %v; want it still there", p, err)
		}
	})
}
