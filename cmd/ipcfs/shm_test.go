package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
)

func TestMkShmCreatesSegmentOfSize(t *testing.T) {
	forEachNS(t, []string{"shm"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", p, "--size", "4k", "--mode", "0640")
		st := decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))
		name := strings.TrimPrefix(p, "shm/")
		for k, want := range map[string]string{"kind": "shm", "name": name, "path": p, "size": "4096", "mode": "0640"} {
			if got := jsonString(st[k]); got != want {
				t.Errorf("stat %s = %q, want %q", k, got, want)
			}
		}
		if got, want := keysOf(st), wantKeys(t, ns, p, "kind,mode,mtime,name,path,size"); got != want {
			t.Errorf("stat --json keys %s, want %s", got, want)
		}
		// mk never changes what exists: not even --size.
		wantExit(t, ns, 1, "ipcfs: "+p+mkExists, "mk", p, "--size", "8192")
		wantExit(t, ns, 1, "ipcfs: "+p+mkExists, "mk", "--excl", p, "--size", "1")
		if got := jsonString(decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))["size"]); got != "4096" {
			t.Errorf("size after refused mk --size = %s, want 4096", got)
		}
	})
}

func TestStatShmText(t *testing.T) {
	forEachNS(t, []string{"shm"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", p, "--size", "100")
		out := mustRun(t, ns, "", "stat", p)
		for _, want := range []string{"path:         " + p + "\n", "size:         100 bytes\n", "mode:         0600 (-rw-------)\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("stat output lacks %q:\n%s", want, out)
			}
		}
		if owner := wantOwner(t, ns, p); owner != "-" && !strings.Contains(out, "owner:        "+owner+" (uid ") {
			t.Errorf("stat output lacks the owner %s:\n%s", owner, out)
		}
	})
}

func TestWriteThenCatRoundTrip(t *testing.T) {
	forEachNS(t, []string{"shm"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", p, "--size", "0")
		data := make([]byte, 100_000) // not a page multiple
		for i := range data {
			data[i] = byte(rand.IntN(256))
		}
		mustRun(t, ns, string(data), "write", p)
		if got := mustRun(t, ns, "", "cat", p); got != string(data) {
			t.Fatalf("cat returned %d bytes, not the %d written", len(got), len(data))
		}
		if got := jsonString(decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))["size"]); got != "100000" {
			t.Errorf("size after write = %s, want 100000 (grown)", got)
		}
		// A shorter write overwrites the start and keeps the rest ...
		mustRun(t, ns, "abc", "write", p)
		got := mustRun(t, ns, "", "cat", p)
		if want := "abc" + string(data[3:]); got != want {
			t.Errorf("after a short write cat differs (len %d, want %d)", len(got), len(want))
		}
		// ... unless --truncate.
		mustRun(t, ns, "xy", "write", "--truncate", p)
		if got := mustRun(t, ns, "", "cat", p); got != "xy" {
			t.Errorf("after write --truncate cat = %q, want %q", got, "xy")
		}
		// An empty input leaves the segment alone.
		mustRun(t, ns, "", "write", p)
		if got := mustRun(t, ns, "", "cat", p); !bytes.Equal([]byte(got), []byte("xy")) {
			t.Errorf("after an empty write cat = %q", got)
		}
	})
}

func TestMissingObjectExits1(t *testing.T) {
	tests := []struct {
		kind string
		args func(p string) []string
	}{
		{"shm", func(p string) []string { return []string{"stat", p} }},
		{"shm", func(p string) []string { return []string{"stat", "--json", p} }},
		{"shm", func(p string) []string { return []string{"cat", p} }},
		{"shm", func(p string) []string { return []string{"write", p} }},
		{"shm", func(p string) []string { return []string{"rm", p} }},
		{"mq", func(p string) []string { return []string{"send", p, "m"} }},
		{"mq", func(p string) []string { return []string{"recv", p} }},
		{"mq", func(p string) []string { return []string{"rm", p} }},
		{"sem", func(p string) []string { return []string{"post", p} }},
		{"sem", func(p string) []string { return []string{"wait", p} }},
		{"sem", func(p string) []string { return []string{"stat", p} }},
		{"sem", func(p string) []string { return []string{"rm", p} }},
	}
	for _, tt := range tests {
		args := tt.args(tt.kind + "/NAME")
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			forEachNS(t, []string{tt.kind}, func(t *testing.T, ns ipcfs.Namespace) {
				p := testPath(t, ns, tt.kind)
				r := runCLI(t, ns, "input", tt.args(p)...)
				if want := "ipcfs: " + p + ": no such object\n"; r.code != 1 || r.stderr != want || r.stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want 1, \"\", %q", r.code, r.stdout, r.stderr, want)
				}
			})
		})
	}
}

func TestInvalidNameExits1(t *testing.T) {
	forEachNS(t, nil, func(t *testing.T, ns ipcfs.Namespace) {
		r := wantExit(t, ns, 1, "", "mk", "shm/..", "--size", "1")
		if !strings.HasPrefix(r.stderr, "ipcfs: shm/..: invalid argument") {
			t.Errorf("stderr %q, want an invalid-argument message naming shm/..", r.stderr)
		}
		r = wantExit(t, ns, 1, "", "stat", "sem/"+longName(252))
		if !strings.Contains(r.stderr, "name too long") {
			t.Errorf("stderr %q, want it to say the name is too long", r.stderr)
		}
	})
}

// jsonString returns a decoded JSON value as a string ("4096", "shm").
func jsonString(v any) string {
	if v == nil {
		return "<absent>"
	}
	return fmt.Sprint(v)
}
