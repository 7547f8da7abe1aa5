package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
)

// implemented reports whether this build implements kind in ns (the stubs
// return errors.ErrUnsupported).
func implemented(ns ipcfs.Namespace, kind string) bool {
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
	return !errors.Is(err, errors.ErrUnsupported)
}

// mqListable reports whether ns can list queues (on the host: whether
// /dev/mqueue is mounted).
func mqListable(ns ipcfs.Namespace) bool {
	_, err := ns.ReadDir("mq")
	return !errors.Is(err, ipcfs.ErrMqueueNotMounted)
}

// unreachableNote starts the line ls writes on stderr for listed names
// that are not UTF-8 (noteUnreachable).
const unreachableNote = "ipcfs: note: not UTF-8, so not reachable through io/fs"

// withoutOthersNotes returns the stderr of an ls without its notes about
// names that are not UTF-8, when they name none of ours. The host is shared
// with whatever runs meanwhile (under go test ./..., the root package's
// tests, whose objects have such names for a few milliseconds), and a note
// about another program's object says nothing about this test's; a note or
// any other line that names one of ours stays.
func withoutOthersNotes(stderr string, ours map[string]string) string {
	var rest strings.Builder
	for line := range strings.Lines(stderr) {
		others := strings.HasPrefix(line, unreachableNote)
		for _, p := range ours {
			others = others && !strings.Contains(line, p)
		}
		if !others {
			rest.WriteString(line)
		}
	}
	return rest.String()
}

// mkOneOfEach creates an object of every kind ns implements and returns
// their paths by kind.
func mkOneOfEach(t *testing.T, ns ipcfs.Namespace) map[string]string {
	t.Helper()
	paths := map[string]string{}
	if implemented(ns, "shm") {
		paths["shm"] = testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", paths["shm"], "--size", "10")
	}
	if implemented(ns, "mq") {
		paths["mq"] = testPath(t, ns, "mq")
		mustRun(t, ns, "", "mk", paths["mq"], "--max-messages", "4", "--message-size", "128")
		mustRun(t, ns, "", "send", paths["mq"], "hi")
	}
	if implemented(ns, "sem") {
		paths["sem"] = testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", paths["sem"], "--value", "2")
	}
	if len(paths) == 0 {
		t.Skip("no kind is implemented in this build yet")
	}
	return paths
}

func TestLsListsEveryKind(t *testing.T) {
	forEachNS(t, nil, func(t *testing.T, ns ipcfs.Namespace) {
		paths := mkOneOfEach(t, ns)
		r := runCLI(t, ns, "", "ls")
		if r.code != 0 {
			t.Fatalf("ls: exit %d, stderr %q", r.code, r.stderr)
		}
		lines := strings.Split(r.stdout, "\n")
		for kind, p := range paths {
			listed := slices.Contains(lines, p)
			if want := kind != "mq" || mqListable(ns); listed != want {
				t.Errorf("ls lists %s: %v, want %v\n%s", p, listed, want, r.stdout)
			}
		}
		if rest := withoutOthersNotes(r.stderr, paths); mqListable(ns) && rest != "" {
			t.Errorf("ls wrote %q on stderr", rest)
		}
		if !mqListable(ns) && !strings.HasPrefix(r.stderr, "ipcfs: warning: mq not listed: ") {
			t.Errorf("ls stderr %q, want a warning that queues are not listed", r.stderr)
		}
		// Naming a kind lists only that kind.
		for kind, p := range paths {
			if kind == "mq" && !mqListable(ns) {
				// Listing queues by kind is an error that says how to mount.
				r := wantExit(t, ns, 1, "", "ls", "mq")
				if !strings.Contains(r.stderr, "mount -t mqueue none /dev/mqueue") {
					t.Errorf("ls mq without the mount: stderr %q, want how to mount it", r.stderr)
				}
				continue
			}
			for _, line := range strings.Split(strings.TrimSpace(mustRun(t, ns, "", "ls", kind+"/")), "\n") {
				if !strings.HasPrefix(line, kind+"/") {
					t.Errorf("ls %s lists %q", kind, line)
				}
			}
			if out := mustRun(t, ns, "", "ls", kind); !slices.Contains(strings.Split(out, "\n"), p) {
				t.Errorf("ls %s does not list %s:\n%s", kind, p, out)
			}
		}
	})
}

func TestLsJSONSchema(t *testing.T) {
	kindKeys := map[string]string{
		"shm": "kind,mode,mtime,name,path,size",
		"mq":  "kind,max_messages,message_size,messages,mode,mtime,name,path,size",
		"sem": "kind,mode,mtime,name,path,size,value",
	}
	forEachNS(t, nil, func(t *testing.T, ns ipcfs.Namespace) {
		paths := mkOneOfEach(t, ns)
		// Objects named directly are listed whether or not /dev/mqueue is
		// mounted, so every kind's schema is checked.
		var args []string
		for _, p := range paths {
			args = append(args, p)
		}
		slices.Sort(args)
		out := mustRun(t, ns, "", append([]string{"ls", "--json"}, args...)...)
		var list []map[string]any
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("ls --json is not a JSON array: %v\n%s", err, out)
		}
		if len(list) != len(args) {
			t.Fatalf("ls --json listed %d objects, want %d:\n%s", len(list), len(args), out)
		}
		for i, m := range list {
			kind := jsonString(m["kind"])
			if m["path"] != args[i] || kind+"/"+jsonString(m["name"]) != args[i] {
				t.Errorf("entry %d: path %v, kind %v, name %v; want path %s", i, m["path"], m["kind"], m["name"], args[i])
			}
			if got, want := keysOf(m), wantKeys(t, ns, args[i], kindKeys[kind]); got != want {
				t.Errorf("%s keys %s, want %s", args[i], got, want)
			}
		}
		// One object per line, inside [ and ].
		if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != len(args)+2 || lines[0] != "[" || lines[len(lines)-1] != "]" {
			t.Errorf("ls --json layout:\n%s", out)
		}
		for i, m := range decodeList(t, out) {
			switch kind := jsonString(m["kind"]); kind {
			case "mq":
				if jsonString(m["messages"]) != "1" || jsonString(m["max_messages"]) != "4" || jsonString(m["message_size"]) != "128" {
					t.Errorf("entry %d: %v, want 1 message of 4, size 128", i, m)
				}
			case "sem":
				if jsonString(m["value"]) != "2" {
					t.Errorf("entry %d: %v, want value 2", i, m)
				}
			case "shm":
				if jsonString(m["size"]) != "10" {
					t.Errorf("entry %d: %v, want size 10", i, m)
				}
			}
		}
	})
}

func decodeList(t *testing.T, s string) []map[string]any {
	t.Helper()
	var list []map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list
}

func TestLsEmptyJSONIsEmptyArray(t *testing.T) {
	ns := fstest.NewMemFS()
	if out := mustRun(t, ns, "", "ls", "--json"); out != "[]\n" {
		t.Errorf("ls --json of nothing = %q, want %q", out, "[]\n")
	}
	if out := mustRun(t, ns, "", "ls", "-l"); out != "" {
		t.Errorf("ls -l of nothing = %q, want nothing", out)
	}
}

func TestLsLongShowsContentsModeOwner(t *testing.T) {
	forEachNS(t, nil, func(t *testing.T, ns ipcfs.Namespace) {
		paths := mkOneOfEach(t, ns)
		var args []string
		for _, p := range paths {
			args = append(args, p)
		}
		out := mustRun(t, ns, "", append([]string{"ls", "-l"}, args...)...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(args)+1 || !strings.HasPrefix(lines[0], "KIND") {
			t.Fatalf("ls -l:\n%s", out)
		}
		want := map[string]string{"shm": " 10B ", "mq": " 1/4 msgs ", "sem": " value 2 "}
		for _, line := range lines[1:] {
			f := strings.Fields(line)
			if len(f) < 6 {
				t.Errorf("short line %q", line)
				continue
			}
			owner := wantOwner(t, ns, f[0]+"/"+f[1])
			if !strings.Contains(line, want[f[0]]) || !strings.Contains(line, " 0600 ") || !strings.Contains(line, " "+owner+" ") {
				t.Errorf("ls -l line %q lacks %q, the mode 0600 or the owner %s", line, want[f[0]], owner)
			}
		}
	})
}

func TestLsWarnsWhenMqueueNotMounted(t *testing.T) {
	ns := fstest.NewMemFS(fstest.MqueueUnmounted())
	p := testPath(t, ns, "shm")
	mustRun(t, ns, "", "mk", p, "--size", "1")
	r := runCLI(t, ns, "", "ls")
	if r.code != 0 || r.stdout != p+"\n" {
		t.Errorf("ls: exit %d, stdout %q; want 0 and %q", r.code, r.stdout, p+"\n")
	}
	if !strings.HasPrefix(r.stderr, "ipcfs: warning: mq not listed: the mqueue file system is not mounted") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("ls stderr %q, want a one-line warning", r.stderr)
	}
	// Asking for queues by name is an error.
	r = wantExit(t, ns, 1, "", "ls", "mq")
	if !strings.HasPrefix(r.stderr, "ipcfs: mq: the mqueue file system is not mounted") {
		t.Errorf("ls mq stderr %q", r.stderr)
	}
}

func TestRmRemovesEachAndReportsFailures(t *testing.T) {
	forEachNS(t, nil, func(t *testing.T, ns ipcfs.Namespace) {
		paths := mkOneOfEach(t, ns)
		args := []string{"rm"}
		var kind string
		for k, p := range paths {
			args = append(args, p)
			kind = k
		}
		// A missing object in the middle is reported; the others go.
		missing := testPath(t, ns, kind)
		args = append(args[:2], append([]string{missing}, args[2:]...)...)
		wantExit(t, ns, 1, "ipcfs: "+missing+": no such object\n", args...)
		for _, p := range paths {
			wantExit(t, ns, 1, "ipcfs: "+p+": no such object\n", "stat", p)
		}
	})
}

func TestStatQueueWithoutMqueueMount(t *testing.T) {
	ns := fstest.NewMemFS(fstest.MqueueUnmounted())
	p := mkQueue(t, ns)
	mustRun(t, ns, "", "send", p, "abc")
	for _, args := range [][]string{{"stat", "--json", p}, {"ls", "--json", p}} {
		out := strings.Trim(mustRun(t, ns, "", args...), "[]\n")
		m := decodeObject(t, out)
		if jsonString(m["messages"]) != "1" || jsonString(m["max_messages"]) != "4" || jsonString(m["size"]) != "3" || m["path"] != p {
			t.Errorf("%q = %v, want the queue's attributes read through a handle", args, m)
		}
	}
	missing := testPath(t, ns, "mq")
	wantExit(t, ns, 1, "ipcfs: "+missing+": no such object\n", "stat", missing)
}

// TestLsLongSizesAndZone: ls -l prints sizes human-readable (-b, --bytes:
// exact) and times with the zone's offset, in the local zone.
func TestLsLongSizesAndZone(t *testing.T) {
	when := time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC)
	ns := fstest.NewMemFS(fstest.Clock(func() time.Time { return when }))
	mustRun(t, ns, "", "mk", "shm/big", "--size", "1536k")
	mustRun(t, ns, "", "mk", "shm/small", "--size", "100")
	longLines := func(args ...string) []string {
		var out, errOut bytes.Buffer
		e := newEnv(context.Background(), nil, &out, &errOut, ns)
		e.loc = time.FixedZone("IST", 5*3600+1800)
		if code := e.run(args); code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", args, code, errOut.String())
		}
		return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	}
	for _, tt := range []struct {
		args       []string
		big, small string
	}{
		{[]string{"ls", "-l"}, " 1.5M ", " 100B "},
		{[]string{"ls", "-l", "-b"}, " 1572864 ", " 100 "},
		{[]string{"ls", "-l", "--bytes"}, " 1572864 ", " 100 "},
		{[]string{"--bytes", "ls", "-l"}, " 1572864 ", " 100 "},
	} {
		lines := longLines(tt.args...)
		if len(lines) != 3 {
			t.Fatalf("%q printed %q", tt.args, lines)
		}
		for i, want := range []string{tt.big, tt.small} {
			if !strings.Contains(lines[i+1], want) || !strings.HasSuffix(lines[i+1], " 2026-11-27 04:00:00 +0530") {
				t.Errorf("%q line %q: want %q and the time 2026-11-27 04:00:00 +0530", tt.args, lines[i+1], want)
			}
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1K", 1536: "1.5K", 4096: "4K", 1048575: "1M", 10 << 20: "10M", 3<<30 + 1<<29: "3.5G", 1 << 62: "4E"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
