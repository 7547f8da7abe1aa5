package main

import (
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
)

// mkExists is the end of mk's message for an object that exists.
const mkExists = ": already exists (mk never changes an existing object; --exist-ok accepts it as it is)\n"

func TestMkShmWithoutSizeIsEmpty(t *testing.T) {
	forEachNS(t, []string{"shm"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", p)
		if got := jsonString(decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))["size"]); got != "0" {
			t.Errorf("size of mk %s without --size = %s, want 0", p, got)
		}
	})
}

// TestMkNeverChangesWhatExists: every kind, with and without --exist-ok,
// leaves an existing object as it was; --exist-ok checks the size and
// queue attributes given, and nothing else.
func TestMkNeverChangesWhatExists(t *testing.T) {
	forEachNS(t, []string{"shm", "mq", "sem"}, func(t *testing.T, ns ipcfs.Namespace) {
		shm := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", shm, "--size", "4k")
		wantExit(t, ns, 1, "ipcfs: "+shm+mkExists, "mk", shm, "--size", "1")
		mustRun(t, ns, "", "mk", shm, "--exist-ok")
		mustRun(t, ns, "", "mk", shm, "--exist-ok", "--size", "4096", "--mode", "0644")
		wantExit(t, ns, 1, "ipcfs: "+shm+": exists with size 4096 bytes, not 1 (mk never changes an existing object)\n", "mk", shm, "--exist-ok", "--size", "1")
		st := decodeObject(t, mustRun(t, ns, "", "stat", "--json", shm))
		if jsonString(st["size"]) != "4096" || jsonString(st["mode"]) != "0600" {
			t.Errorf("segment after the mk calls: %v; want size 4096, mode 0600", st)
		}

		q := mkQueue(t, ns) // 4 x 128
		wantExit(t, ns, 1, "ipcfs: "+q+mkExists, "mk", q, "--max-messages", "8")
		mustRun(t, ns, "", "mk", q, "--exist-ok", "--max-messages", "4", "--message-size", "128")
		r := wantExit(t, ns, 1, "", "mk", q, "--exist-ok", "--max-messages", "8", "--message-size", "64")
		if want := "ipcfs: " + q + ": exists with max messages 4, not 8, message size 128 bytes, not 64 (mk never changes an existing object)\n"; r.stderr != want {
			t.Errorf("stderr %q\nwant   %q", r.stderr, want)
		}
		st = decodeObject(t, mustRun(t, ns, "", "stat", "--json", q))
		if jsonString(st["max_messages"]) != "4" || jsonString(st["message_size"]) != "128" {
			t.Errorf("queue after the mk calls: %v; want 4 x 128", st)
		}

		sem := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", sem, "--value", "2")
		wantExit(t, ns, 1, "ipcfs: "+sem+mkExists, "mk", sem, "--value", "5")
		mustRun(t, ns, "", "mk", sem, "--exist-ok", "--value", "5") // a value is not checked
		if got := semValue(t, ns, sem); got != "2" {
			t.Errorf("value after the mk calls = %s, want 2", got)
		}

		// --exist-ok on a missing object creates it.
		fresh := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", fresh, "--exist-ok", "--size", "10")
		if got := jsonString(decodeObject(t, mustRun(t, ns, "", "stat", "--json", fresh))["size"]); got != "10" {
			t.Errorf("size of a segment made by mk --exist-ok = %s, want 10", got)
		}
	})
}

func TestMkHelpSaysWhatExistOkChecks(t *testing.T) {
	out := mustRun(t, nil, "", "help", "mk")
	for _, want := range []string{"--exist-ok\n", "never changes what exists", "checks that it has the size", "The mode is not checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("help mk lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "--excl") {
		t.Errorf("help mk shows the deprecated --excl:\n%s", out)
	}
	wantExit(t, nil, 2, "", "mk", "shm/x", "--excl", "--exist-ok")
}
