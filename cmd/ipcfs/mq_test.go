package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
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
		wantExit(t, ns, 1, "ipcfs: "+p+mkExists, "mk", "--excl", p)
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

func TestRecvInterruptedExits130(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // as Ctrl-C does through signal.NotifyContext
		r := runCLICtx(t, ctx, ns, "", "recv", p)
		if want := "ipcfs: " + p + ": interrupted\n"; r.code != exitInterrupted || r.stderr != want {
			t.Errorf("exit %d, stderr %q; want 130, %q", r.code, r.stderr, want)
		}
	})
}

// endlessReader is stdin that never ends: line (or, when line is empty,
// 'x' without a newline) forever. It fails after limit bytes, and counts
// what was read.
type endlessReader struct {
	line  []byte
	read  int64
	limit int64
}

var errReadTooMuch = errors.New("read past the limit")

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.read >= r.limit {
		return 0, errReadTooMuch
	}
	p = p[:min(int64(len(p)), r.limit-r.read)]
	for i := range p {
		if len(r.line) == 0 {
			p[i] = 'x'
		} else {
			p[i] = r.line[(r.read+int64(i))%int64(len(r.line))]
		}
	}
	r.read += int64(len(p))
	return len(p), nil
}

// TestSendDashRefusesAnOverlongLineAtOnce: with 128-byte messages, a line
// that never ends is refused after at most 129 bytes of it were read;
// nothing of it is sent and what came before was.
func TestSendDashRefusesAnOverlongLineAtOnce(t *testing.T) {
	ns := fstest.NewMemFS()
	p := mkQueue(t, ns) // 128-byte messages
	stdin := io.MultiReader(strings.NewReader("first\n"), &endlessReader{limit: 1 << 20})
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"send", p, "-"}, &countingReader{r: stdin}, &out, &errOut, ns)
	want := "ipcfs: " + p + ": stdin line 2 is longer than the queue's message size (128 bytes); 1 message sent before it\n"
	if code != exitError || errOut.String() != want {
		t.Fatalf("exit %d, stderr %q; want 1, %q", code, errOut.String(), want)
	}
	if got := mustRun(t, ns, "", "recv", "--timeout", "0", "-n", "1", p); got != "first\n" {
		t.Errorf("queue holds %q; want only the first line", got)
	}
	wantExit(t, ns, 3, "", "recv", "--timeout", "0", p)
	// An exact fit is fine: 128 bytes and the newline.
	mustRun(t, ns, strings.Repeat("y", 128)+"\n"+strings.Repeat("z", 128), "send", p, "-")
	if got := mustRun(t, ns, "", "recv", "-n", "2", p); got != strings.Repeat("y", 128)+"\n"+strings.Repeat("z", 128)+"\n" {
		t.Errorf("128-byte lines came back as %q", got)
	}
}

// TestSendDashReadsAtMostALinePlusOne counts what send reads of a line that
// never ends: the line buffer holds the message size plus one byte.
func TestSendDashReadsAtMostALinePlusOne(t *testing.T) {
	ns := fstest.NewMemFS()
	p := mkQueue(t, ns)
	endless := &endlessReader{limit: 1 << 30}
	r := runCLIReader(t, ns, endless, "send", p, "-")
	if r.code != exitError || !strings.Contains(r.stderr, "longer than the queue's message size") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if endless.read > 129 {
		t.Errorf("send read %d bytes of an endless line; want at most 129 (message size + 1)", endless.read)
	}
}

// countingReader passes reads through.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// runCLIReader runs the tool with stdin.
func runCLIReader(t *testing.T, ns ipcfs.Namespace, stdin io.Reader, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, stdin, &out, &errOut, ns)
	return result{code, out.String(), errOut.String()}
}

func TestRecvTextEscapesEachMessageOntoOneLine(t *testing.T) {
	forEachNS(t, []string{"mq"}, func(t *testing.T, ns ipcfs.Namespace) {
		p := mkQueue(t, ns)
		mustRun(t, ns, "", "send", p, "two\nlines", `back\slash`, "\x1b[2Jclear\r", "tab\there")
		got := mustRun(t, ns, "", "recv", "-n", "4", p)
		want := `two\nlines` + "\n" + `back\\slash` + "\n" + `\x1b[2Jclear\r` + "\n" + `tab\there` + "\n"
		if got != want {
			t.Errorf("recv printed %q\nwant          %q", got, want)
		}
		mustRun(t, ns, "", "send", p, "\xff\x00", "plain é")
		if got := mustRun(t, ns, "", "recv", "-n", "2", p); got != `\xff\x00`+"\nplain é\n" {
			t.Errorf("recv printed %q", got)
		}
	})
	if help := mustRun(t, nil, "", "help", "recv"); !strings.Contains(help, `a newline as \n`) {
		t.Errorf("help recv does not say how messages are escaped:\n%s", help)
	}
}
