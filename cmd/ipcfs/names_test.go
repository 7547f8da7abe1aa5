package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// hostileNames are names a local user can plant in /dev/shm to forge or
// hide lines on a terminal that lists them.
var hostileNames = []string{
	"\x1b[2J\x1b[Hcleared",
	"\x1b]0;owned\x07title",
	"ok\nforged-line",
	"over\rwrite",
	"bell\x07\x08\x7f",
	"rtl-\u202eexe.txt",
	"c1-\u009b31m",
}

// mkNamed creates an object of kind k named name (any bytes) by POSIX name,
// and removes it when the test ends.
func mkNamed(t *testing.T, ns ipcfs.Namespace, k *kind.Kind, name string) {
	t.Helper()
	var c interface{ Close() error }
	var err error
	switch k {
	case kind.Shm:
		c, err = ns.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 3)
	case kind.Mq:
		c, err = ns.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &ipcfs.MqAttr{MaxMessages: 2, MessageSize: 16})
	case kind.Sem:
		c, err = ns.OpenSem(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 1)
	}
	if err != nil {
		t.Fatalf("create %s %q: %v", k, name, err)
	}
	c.Close()
	t.Cleanup(func() { removeObject(ns, object{kind: k, name: name}) })
}

// uniqueName returns a name for this test run that ends with suffix.
func uniqueName(suffix string) string {
	return fmt.Sprintf("ipcfs-clitest-%d-%d-%s", os.Getpid(), nameSeq.Add(1), suffix)
}

// assertNoControl fails if out holds a byte that is not printable, other
// than the newlines (and the tabs of -l) that end and separate lines.
func assertNoControl(t *testing.T, what, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if !isPrintable(line) {
			t.Errorf("%s prints a line with control bytes or invalid UTF-8: %q", what, line)
		}
	}
}

// TestHostileNamesAreEscapedInHumanOutput plants names made of terminal
// escapes, carriage returns and newlines: ls, ls -l, stat and error
// messages print them escaped, one object per line, and the printed form
// reaches the object; JSON keeps the exact name.
func TestHostileNamesAreEscapedInHumanOutput(t *testing.T) {
	forEachNS(t, []string{"shm", "sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		var names []string
		for i, h := range hostileNames {
			k := kind.Shm
			if i%2 == 1 {
				k = kind.Sem
			}
			name := uniqueName(h)
			mkNamed(t, ns, k, name)
			names = append(names, k.Dir+"/"+name)
		}
		r := runCLI(t, ns, "", append([]string{"ls"}, names...)...)
		if r.code != 0 {
			t.Fatalf("ls: exit %d, stderr %q", r.code, r.stderr)
		}
		assertNoControl(t, "ls", r.stdout+r.stderr)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(names) {
			t.Fatalf("ls of %d objects printed %d lines:\n%s", len(names), len(lines), r.stdout)
		}
		for i, line := range lines {
			// The printed path is the object: stat and rm take it back.
			obj, err := parseObject(line)
			if err != nil || obj.nsPath() != names[i] {
				t.Errorf("ls printed %q, which parses to %v, %v; want %q", line, obj, err, names[i])
			}
		}
		long := mustRun(t, ns, "", append([]string{"ls", "-l"}, names...)...)
		assertNoControl(t, "ls -l", long)
		if n := strings.Count(long, "\n"); n != len(names)+1 {
			t.Errorf("ls -l printed %d lines for %d objects:\n%s", n, len(names), long)
		}
		for i, line := range lines {
			out := mustRun(t, ns, "", "stat", line)
			assertNoControl(t, "stat", out)
			if !strings.HasPrefix(out, "path:         "+line+"\n") {
				t.Errorf("stat %q prints %q", line, out)
			}
			js := decodeObject(t, mustRun(t, ns, "", "stat", "--json", line))
			if js["path"] != names[i] || js["name_base64"] != nil {
				t.Errorf("stat --json path = %q, want the exact %q and no name_base64", js["path"], names[i])
			}
		}
		// Errors name the object escaped, however it was typed.
		for _, h := range hostileNames {
			missing := "shm/" + uniqueName(h)
			r := wantExit(t, ns, 1, "", "stat", missing)
			assertNoControl(t, "stat's error", r.stderr)
			if want := "ipcfs: shm/" + displayName(strings.TrimPrefix(missing, "shm/")) + ": no such object\n"; r.stderr != want {
				t.Errorf("stderr %q, want %q", r.stderr, want)
			}
			r = runCLI(t, ns, "", "stat", "sh\x1bm/"+h)
			assertNoControl(t, "a usage error", r.stderr)
		}
		// ls --json keeps the exact names.
		var got []string
		for _, m := range decodeList(t, mustRun(t, ns, "", append([]string{"ls", "--json"}, names...)...)) {
			got = append(got, m["path"].(string))
		}
		if !slices.Equal(got, names) {
			t.Errorf("ls --json paths %q, want %q", got, names)
		}
		// rm takes the printed forms.
		out := mustRun(t, ns, "", append([]string{"rm"}, lines...)...)
		if out != "" {
			t.Errorf("rm printed %q", out)
		}
		for _, p := range names {
			if _, err := ns.Stat(p); err == nil {
				t.Errorf("%q still there after rm", p)
			}
		}
	})
}

// TestNamesIOFSCannotReach: names that are not UTF-8, created by POSIX
// name, are listed (quoted, with a note), stat'ed, matched and removed by
// the tool, and carried exactly by JSON in name_base64, for every kind.
func TestNamesIOFSCannotReach(t *testing.T) {
	forEachNS(t, []string{"shm", "mq", "sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		tag := uniqueName("")
		want := map[string]string{} // quoted path -> exact name
		for _, k := range kind.All {
			if k.NeedsMount && !mqListable(ns) {
				continue
			}
			name := tag + "\xff\xfe" + k.Dir
			mkNamed(t, ns, k, name)
			want[k.Dir+"/"+displayName(name)] = name
		}
		r := runCLI(t, ns, "", "ls")
		if r.code != 0 {
			t.Fatalf("ls: exit %d, stderr %q", r.code, r.stderr)
		}
		assertNoControl(t, "ls", r.stdout+r.stderr)
		for p := range want {
			if !slices.Contains(strings.Split(r.stdout, "\n"), p) {
				t.Errorf("ls does not list %s:\n%s", p, r.stdout)
			}
			if !strings.Contains(r.stderr, "not reachable through io/fs") || !strings.Contains(r.stderr, p) {
				t.Errorf("ls stderr %q does not note that %s is not reachable through io/fs", r.stderr, p)
			}
		}
		// JSON: the exact bytes, base64.
		found := 0
		for _, m := range decodeList(t, mustRun(t, ns, "", "ls", "--json")) {
			name, ok := want[jsonString(m["path"])]
			if !ok {
				continue
			}
			found++
			b, err := base64.StdEncoding.DecodeString(jsonString(m["name_base64"]))
			if err != nil || string(b) != name || m["name"] != displayName(name) {
				t.Errorf("ls --json entry %v: want name_base64 of %q and the quoted name", m, name)
			}
		}
		if found != len(want) {
			t.Errorf("ls --json lists %d of the %d objects", found, len(want))
		}
		for p := range want {
			out := mustRun(t, ns, "", "stat", p)
			if !strings.Contains(out, "note:") || !strings.Contains(out, "io/fs") {
				t.Errorf("stat %s does not say io/fs cannot reach it:\n%s", p, out)
			}
		}
		// A pattern matches them; rm prints what it removed.
		var shm string
		for p := range want {
			if strings.HasPrefix(p, "shm/") {
				shm = p
			}
		}
		if out := mustRun(t, ns, "", "rm", "shm/"+tag+"*"); out != "removed "+shm+"\n" {
			t.Errorf("rm shm/%s* printed %q, want %q", tag, out, "removed "+shm+"\n")
		}
		delete(want, shm)
		var rest []string
		for p := range want {
			rest = append(rest, p)
		}
		mustRun(t, ns, "", append([]string{"rm"}, rest...)...)
		if out := mustRun(t, ns, "", "ls"); strings.Contains(out, tag) {
			t.Errorf("after rm, ls still lists:\n%s", out)
		}
	})
}
