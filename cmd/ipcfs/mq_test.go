package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
)

// mkQueue creates a small queue (4 x 128 bytes) and returns its path.
func mkQueue(t *testing.T, ns ipcfs.Namespace, extra ...string) string {
	t.Helper()
	p := testPath(t, ns, "mq")
	mustRun(t, ns, "", append([]string{"mk", p, "--max-messages", "4", "--message-size", "128"}, extra...)...)
	return p
}

func TestMkMqSetsAttributes(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns, "--excl")
		st := decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))
		for k, want := range map[string]string{"kind": "mq", "path": p, "messages": "0", "max_messages": "4", "message_size": "128", "mode": "0600"} {
			if got := jsonString(st[k]); got != want {
				t.Errorf("stat %s = %s, want %s", k, got, want)
			}
		}
		if _, ok := st["value"]; ok {
			t.Errorf("a queue's stat has a value field: %v", st)
		}
		wantExit(t, ns, 1, "ipcfs: "+p+": already exists\n", "mk", "--excl", p)
	})
}

func TestSendRecvHighestPriorityFirst(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		mustRun(t, ns, "", "send", p, "--priority", "1", "a", "b")
		mustRun(t, ns, "", "send", "--priority=5", p, "c")
		st := decodeObject(t, mustRun(t, ns, "", "stat", "--json", p))
		if got := jsonString(st["messages"]); got != "3" {
			t.Errorf("stat messages = %s, want 3", got)
		}
		if got := jsonString(st["size"]); got != "3" {
			t.Errorf("stat size = %s, want 3 bytes queued", got)
		}
		out := mustRun(t, ns, "", "stat", p)
		for _, want := range []string{"messages:     3\n", "max messages: 4\n", "message size: 128 bytes"} {
			if !strings.Contains(out, want) {
				t.Errorf("stat lacks %q:\n%s", want, out)
			}
		}
		if got := mustRun(t, ns, "", "recv", p, "-n", "3"); got != "c\na\nb\n" {
			t.Errorf("recv -n 3 = %q, want %q", got, "c\na\nb\n")
		}
	})
}

func TestRecvJSONUsesBase64ForNonUTF8(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		mustRun(t, ns, "", "send", "--priority", "7", p, "héllo <&>")
		mustRun(t, ns, "", "send", p, "\xff\x00\xfe", "")
		out := mustRun(t, ns, "", "recv", "--json", "-n", "3", p)
		want := `{"priority":7,"size":10,"message":"héllo <&>"}` + "\n" +
			`{"priority":0,"size":3,"message_base64":"/wD+"}` + "\n" +
			`{"priority":0,"size":0,"message":""}` + "\n"
		if out != want {
			t.Errorf("recv --json =\n%s\nwant\n%s", out, want)
		}
	})
}

func TestSendDashSendsStdinLines(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		mustRun(t, ns, "one\ntwo\n\nthree", "send", p, "-")
		if got := mustRun(t, ns, "", "recv", p, "-n", "4"); got != "one\ntwo\n\nthree\n" {
			t.Errorf("recv = %q", got)
		}
		// "--" makes a message that looks like a flag a message.
		mustRun(t, ns, "", "send", p, "--", "-n", "--json")
		if got := mustRun(t, ns, "", "recv", "-n", "2", p); got != "-n\n--json\n" {
			t.Errorf("recv = %q", got)
		}
	})
}

func TestQueueTimeoutsExit3(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		wantExit(t, ns, 3, "ipcfs: "+p+": would block\n", "recv", p, "--timeout", "0")
		wantExit(t, ns, 3, "ipcfs: "+p+": timed out\n", "recv", p, "--timeout", "20ms")
		mustRun(t, ns, "", "send", p, "1", "2", "3", "4")
		wantExit(t, ns, 3, "ipcfs: "+p+": would block\n", "send", p, "--timeout", "0", "5")
		wantExit(t, ns, 3, "ipcfs: "+p+": timed out\n", "send", p, "--timeout", "20ms", "5")
		// Nothing was lost or added by the failed calls.
		if got := mustRun(t, ns, "", "recv", p, "-n", "4", "--timeout", "0"); got != "1\n2\n3\n4\n" {
			t.Errorf("recv = %q, want the four messages", got)
		}
		// recv -n stops at the first wait that fails, after printing what it got.
		mustRun(t, ns, "", "send", p, "x")
		r := wantExit(t, ns, 3, "ipcfs: "+p+": would block\n", "recv", p, "-n", "2", "--timeout", "0")
		if r.stdout != "x\n" {
			t.Errorf("recv -n 2 printed %q before failing, want %q", r.stdout, "x\n")
		}
	})
}

func TestSendTooLongExits1(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		r := wantExit(t, ns, 1, "", "send", p, strings.Repeat("x", 129))
		if !strings.HasPrefix(r.stderr, "ipcfs: "+p+": ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr %q, want one line naming %s", r.stderr, p)
		}
		wantExit(t, ns, 3, "", "recv", p, "--timeout", "0")
	})
}

func TestRecvWaitsForSend(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		done := make(chan result)
		go func() { done <- runCLI(t, ns, "", "recv", p) }()
		mustRun(t, ns, "", "send", p, "wake")
		if r := <-done; r.code != 0 || r.stdout != "wake\n" {
			t.Errorf("recv: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	})
}

func TestRecvInterruptedExits1(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // as Ctrl-C does through signal.NotifyContext
		r := runCLICtx(t, ctx, ns, "", "recv", p)
		if want := "ipcfs: " + p + ": interrupted\n"; r.code != 1 || r.stderr != want {
			t.Errorf("exit %d, stderr %q; want 1, %q", r.code, r.stderr, want)
		}
	})
}
