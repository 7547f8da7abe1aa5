package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// result is what one run of the tool produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the tool in-process against ns with stdin as its input.
func runCLI(t *testing.T, ns ipcfs.Namespace, stdin string, args ...string) result {
	t.Helper()
	return runCLICtx(t, context.Background(), ns, stdin, args...)
}

func runCLICtx(t *testing.T, ctx context.Context, ns ipcfs.Namespace, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errOut, ns)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// mustRun runs the tool and fails the test unless it exits 0.
func mustRun(t *testing.T, ns ipcfs.Namespace, stdin string, args ...string) string {
	t.Helper()
	r := runCLI(t, ns, stdin, args...)
	if r.code != 0 {
		t.Fatalf("ipcfs %q: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r.stdout
}

// wantExit runs the tool and checks its exit status and that stderr holds
// exactly wantErr (when wantErr is not empty).
func wantExit(t *testing.T, ns ipcfs.Namespace, code int, wantErr string, args ...string) result {
	t.Helper()
	r := runCLI(t, ns, "", args...)
	if r.code != code {
		t.Errorf("ipcfs %q: exit %d, want %d (stderr %q)", args, r.code, code, r.stderr)
	}
	if wantErr != "" && r.stderr != wantErr {
		t.Errorf("ipcfs %q: stderr %q, want %q", args, r.stderr, wantErr)
	}
	return r
}

var nameSeq atomic.Int64

// testPath returns a fresh object path of kind, unique to this process and
// call, and removes the object when the test ends.
func testPath(t *testing.T, ns ipcfs.Namespace, kind string) string {
	t.Helper()
	p := fmt.Sprintf("%s/ipcfs-clitest-%d-%d", kind, os.Getpid(), nameSeq.Add(1))
	t.Cleanup(func() {
		if err := ns.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("cleanup: remove %s: %v", p, err)
		}
	})
	return p
}

// namespaces are the Namespaces every command test runs against: the
// host's and package fstest's in-memory one.
var namespaces = []struct {
	name string
	new  func() ipcfs.Namespace
}{
	{"host", func() ipcfs.Namespace { return ipcfs.New() }},
	{"memfs", func() ipcfs.Namespace { return fstest.NewMemFS() }},
}

// forEachNS runs f as a subtest against each namespace. On the host, a
// kind listed in kinds that this build does not implement yet (the library
// returns errors.ErrUnsupported) skips the subtest and says so.
func forEachNS(t *testing.T, kinds []string, f func(t *testing.T, ns ipcfs.Namespace)) {
	for _, c := range namespaces {
		t.Run(c.name, func(t *testing.T) {
			ns := c.new()
			for _, k := range kinds {
				requireKind(t, ns, k)
			}
			f(t, ns)
		})
	}
}

func requireKind(t *testing.T, ns ipcfs.Namespace, kind string) {
	t.Helper()
	const name = "ipcfs-clitest-probe-that-does-not-exist"
	var err error
	switch kind {
	case "shm":
		_, err = ns.OpenShm(name, os.O_RDONLY, 0, 0)
	case "mq":
		_, err = ns.OpenMq(name, os.O_RDONLY, 0, nil)
	case "sem":
		_, err = ns.OpenSem(name, os.O_RDONLY, 0, 0)
	}
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("%s is not implemented in this build yet: %v", kind, err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("probe %s/%s: got %v, want fs.ErrNotExist", kind, name, err)
	}
}

// countObjects returns how many objects of every kind ns lists.
func countObjects(t *testing.T, ns ipcfs.Namespace) int {
	t.Helper()
	n := 0
	for _, k := range kind.All {
		entries, err := ns.ReadDir(k.Dir)
		if err != nil {
			t.Fatalf("ReadDir(%q): %v", k.Dir, err)
		}
		n += len(entries)
	}
	return n
}

// decodeObject decodes one JSON object, keeping numbers exact.
func decodeObject(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return m
}

// keysOf returns the sorted keys of m, comma-separated.
func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

// ownerKnown reports whether ns reports the owner of the object at path
// (the host does; an in-memory namespace may not): then ls and stat print
// uid, gid and owner.
func ownerKnown(t *testing.T, ns ipcfs.Namespace, path string) bool {
	t.Helper()
	obj, err := parseObject(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := statObject(&env{ctx: context.Background(), ns: ns}, obj)
	if err != nil {
		t.Fatal(err)
	}
	raw := fi.Sys()
	switch s := raw.(type) {
	case ipcfs.MqInfo:
		raw = s.Stat
	case ipcfs.SemInfo:
		raw = s.Stat
	}
	_, _, ok := ownerOf(raw)
	return ok
}

// wantKeys returns the JSON keys ls and stat print for the object at path:
// keys plus uid, gid and owner when ns reports owners, sorted.
func wantKeys(t *testing.T, ns ipcfs.Namespace, path, keys string) string {
	t.Helper()
	ks := strings.Split(keys, ",")
	if ownerKnown(t, ns, path) {
		ks = append(ks, "uid", "gid", "owner")
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

// wantOwner is the owner ls -l shows for an object this process created.
func wantOwner(t *testing.T, ns ipcfs.Namespace, path string) string {
	t.Helper()
	if !ownerKnown(t, ns, path) {
		return "-"
	}
	u, err := user.Current()
	if err != nil {
		return strconv.Itoa(os.Getuid())
	}
	return u.Username
}
