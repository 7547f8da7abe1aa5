package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs/fstest"
)

func TestUsageErrorsExit2(t *testing.T) {
	tests := [][]string{
		{},
		{"bogus"},
		{"ls", "--nope"},
		{"ls", "dev"},
		{"stat"},
		{"stat", "shm/a", "shm/b"},
		{"stat", "shm/"},
		{"mk"},
		{"mk", "x"},
		{"mk", "shm/x", "--size", "-1"},
		{"mk", "shm/x", "--size", "1", "--value", "3"},
		{"mk", "mq/x", "--size", "1"},
		{"mk", "sem/x", "--max-messages", "2"},
		{"mk", "mq/x", "--max-messages", "0"},
		{"mk", "mq/x", "--message-size", "0"},
		{"mk", "sem/x", "--mode", "999"},
		{"mk", "sem/x", "--value", "2147483648"},
		{"rm"},
		{"rm", "shm"},
		{"cat", "mq/x"},
		{"cat"},
		{"write", "sem/x"},
		{"send", "mq/x"},
		{"send", "shm/x", "m"},
		{"send", "mq/x", "--priority", "32768", "m"},
		{"send", "mq/x", "--timeout", "-1s", "m"},
		{"recv", "mq/x", "--timeout", "-1ms"},
		{"recv", "mq/x", "--timeout", "soon"},
		{"recv", "-n", "0", "mq/x"},
		{"recv", "-n"},
		{"post", "sem/x", "zero"},
		{"post", "sem/x", "0"},
		{"post", "sem/x", "1", "2"},
		{"wait", "sem/x", "--timeout", "-5s"},
		{"wait", "mq/x"},
		{"help", "bogus"},
	}
	for _, args := range tests {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			ns := fstest.NewMemFS()
			r := runCLI(t, ns, "", args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want 2 (stderr %q)", r.code, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "ipcfs") && !strings.HasPrefix(r.stderr, "usage: ipcfs") || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q: want only a message on stderr", r.stdout, r.stderr)
			}
			if n := countObjects(t, ns); n != 0 {
				t.Errorf("a usage error created an object")
			}
		})
	}
}

func TestUsageErrorShowsSynopsis(t *testing.T) {
	r := runCLI(t, fstest.NewMemFS(), "", "recv", "mq/x", "--timeout", "-1s")
	want := "ipcfs recv: invalid value \"-1s\" for flag -timeout: timeout \"-1s\": must not be negative\n" +
		"usage: ipcfs recv " + recvCommand.args + "\n"
	if r.stderr != want {
		t.Errorf("stderr %q\nwant   %q", r.stderr, want)
	}
}

func TestHelpPrintsToStdoutAndExits0(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "send"}, {"send", "-h"}, {"ls", "--help"}} {
		r := runCLI(t, fstest.NewMemFS(), "", args...)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "usage: ipcfs") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runCLI(t, fstest.NewMemFS(), "", "help")
	for _, c := range commands {
		if !strings.Contains(r.stdout, "\n  "+c.name+" ") {
			t.Errorf("help does not list %q:\n%s", c.name, r.stdout)
		}
	}
	r = runCLI(t, fstest.NewMemFS(), "", "help", "send")
	if !strings.Contains(r.stdout, "-priority") || !strings.Contains(r.stdout, "-timeout") {
		t.Errorf("help send does not show its flags:\n%s", r.stdout)
	}
}
