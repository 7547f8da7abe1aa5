package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// TestBinary builds the real binary and runs it: ls, a usage error, and a
// Ctrl-C that ends a blocking wait.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ipcfs")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	wait := func(cmd *exec.Cmd) int {
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return exit.ExitCode()
		case err != nil:
			t.Fatalf("%s: %v", cmd, err)
		}
		return 0
	}
	start := func(args ...string) (cmd *exec.Cmd, stdout, stderr *bytes.Buffer) {
		stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
		cmd = testenv.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, stdout, stderr
	}
	runBin := func(args ...string) (code int, stdout, stderr string) {
		cmd, o, e := start(args...)
		code = wait(cmd)
		return code, o.String(), e.String()
	}

	t.Run("ls", func(t *testing.T) {
		code, stdout, stderr := runBin("ls", "--json")
		var list []map[string]any
		if err := json.Unmarshal([]byte(stdout), &list); code != 0 || err != nil {
			t.Errorf("ipcfs ls --json: exit %d, stderr %q, stdout not a JSON array (%v): %q", code, stderr, err, stdout)
		}
		// The stderr of ls is empty or the one-line mqueue warning.
		if stderr != "" && (!strings.HasPrefix(stderr, "ipcfs: warning: mq not listed") || strings.Count(stderr, "\n") != 1) {
			t.Errorf("ipcfs ls stderr %q", stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		code, stdout, stderr := runBin("stat", "--bogus", "shm/x")
		if code != 2 || stdout != "" {
			t.Errorf("ipcfs stat --bogus: exit %d, stdout %q; want 2 and nothing", code, stdout)
		}
		if want := "ipcfs stat: unknown flag --bogus\nusage: ipcfs stat [--json] KIND/NAME\n"; stderr != want {
			t.Errorf("stderr %q, want %q", stderr, want)
		}
	})

	t.Run("version", func(t *testing.T) {
		code, stdout, _ := runBin("--version")
		want := regexp.MustCompile(`^ipcfs (\(devel\)|v[0-9]\S*)[^\n]* \(go1\.[^ ]+ ` + runtime.GOOS + "/" + runtime.GOARCH + `\)\n$`)
		if code != 0 || !want.MatchString(stdout) {
			t.Errorf("ipcfs --version: exit %d, %q", code, stdout)
		}
	})

	t.Run("post interrupted", func(t *testing.T) {
		ns := ipcfs.New()
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p)
		cmd, _, stderr := start("post", p, "2000000000")
		name := strings.TrimPrefix(p, "sem/")
		// The value rises once the loop runs, after main set up its
		// signal handling.
		for deadline := time.Now().Add(30 * time.Second); valueOf(t, ns, name) == 0; {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				wait(cmd)
				t.Fatal("ipcfs post never released a unit")
			}
			time.Sleep(time.Millisecond) // polling a condition with a deadline
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		code := wait(cmd)
		m := regexp.MustCompile(`^ipcfs: ` + regexp.QuoteMeta(p) + `: interrupted after releasing (\d+) of 2000000000 units\n$`).FindStringSubmatch(stderr.String())
		if code != exitInterrupted || m == nil {
			t.Fatalf("after one Ctrl-C: exit %d, stderr %q; want 130 and how many units were released", code, stderr)
		}
		if n, _ := strconv.Atoi(m[1]); n != valueOf(t, ns, name) {
			t.Errorf("reported %d units released; the value is %d", n, valueOf(t, ns, name))
		}
	})

	t.Run("cat to a stuck pipe interrupted", func(t *testing.T) {
		ns := ipcfs.New()
		p := testPath(t, ns, "shm")
		mustRun(t, ns, "", "mk", p, "--size", "8m")
		cmd := testenv.Command(bin, "cat", p)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// One byte read: cat is writing, and blocks again once the pipe
		// is full, which it never reads past.
		if _, err := io.ReadFull(out, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		done := make(chan int, 1)
		go func() { done <- wait(cmd) }()
		select {
		case code := <-done:
			want := regexp.MustCompile(`^ipcfs: ` + regexp.QuoteMeta(p) + `: interrupted after copying \d+ of 8388608 bytes\n$`)
			if code != exitInterrupted || !want.MatchString(stderr.String()) {
				t.Errorf("exit %d, stderr %q; want 130 and how far it got", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("ipcfs cat still running 30s after Ctrl-C")
		}
	})

	t.Run("send reads bounded lines", func(t *testing.T) {
		ns := ipcfs.New()
		p := testPath(t, ns, "mq")
		mustRun(t, ns, "", "mk", p, "--max-messages", "4", "--message-size", "128")
		// A 256 MiB line (endless for all send should care) is refused
		// after its first 129 bytes: the process never holds it.
		cmd := testenv.Command(bin, "send", p, "-")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		written := make(chan int64, 1)
		go func() {
			chunk := bytes.Repeat([]byte("x"), 1<<20)
			var n int64
			for n < 256<<20 {
				m, err := in.Write(chunk)
				n += int64(m)
				if err != nil {
					break
				}
			}
			in.Close()
			written <- n
		}()
		code := wait(cmd)
		in.Close() // ends the writer if the process is gone
		if want := "stdin line 1 is longer than the queue's message size (128 bytes)"; code != 1 || !strings.Contains(stderr.String(), want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
		}
		// What the pipe took bounds what send read, so what it can have
		// held. (The child's rusage cannot tell: os/exec starts it with
		// vfork, and execve records the test process's peak RSS as the
		// child's maxrss, so it grows with this process, as under -count.)
		if n := <-written; n >= 64<<20 {
			t.Errorf("send read %d MiB of an over-long line; want it refused after the first 129 bytes", n>>20)
		}

		// Endless valid input: 64 MiB of 8000-byte lines stream through
		// in constant memory while this process receives them.
		big := testPath(t, ns, "mq")
		mustRun(t, ns, "", "mk", big, "--max-messages", "4", "--message-size", "8192")
		const lineLen, lines = 8000, 64 << 20 / 8000
		cmd = testenv.Command(bin, "send", big, "-")
		cmd.Stderr = &stderr
		stderr.Reset()
		line := append(bytes.Repeat([]byte("y"), lineLen-1), '\n')
		cmd.Stdin = io.LimitReader(&endlessReader{line: line, limit: 1 << 62}, lineLen*lines)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		q, err := ns.OpenMq(strings.TrimPrefix(big, "mq/"), os.O_RDONLY, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		buf := make([]byte, 8192)
		var peak int64
		for i := range lines {
			if i == lines-5 {
				// The queue holds 4 messages and 5 are not received, so
				// send is still running: its peak so far is its own
				// (VmHWM; see above for why not its rusage).
				if peak, err = peakRSS(cmd.Process.Pid); err != nil {
					cmd.Process.Kill()
					t.Fatal(err)
				}
			}
			n, _, err := q.Receive(context.Background(), buf)
			if err != nil || n != lineLen-1 {
				cmd.Process.Kill()
				t.Fatalf("message %d: %d bytes, %v", i, n, err)
			}
		}
		if code := wait(cmd); code != 0 {
			t.Fatalf("send of %d lines: exit %d, stderr %q", lines, code, stderr.String())
		}
		if peak > 32<<20 {
			t.Errorf("send of 64 MiB of lines peaked at %d MiB of RSS; want less than 32", peak>>20)
		}
		t.Logf("peak RSS of send: %d KiB for 64 MiB of lines", peak>>10)
	})

	t.Run("ctrl-c", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("reads glibc's semaphore file to see the waiter")
		}
		ns := ipcfs.New()
		p := testPath(t, ns, "sem")
		mustRun(t, ns, "", "mk", p)
		cmd, _, stderr := start("wait", p)
		// The waiter count (nwaiters, in the layout of this machine) rises
		// when the process is blocked in the wait, after main installed
		// its signal handling.
		file := "/dev/shm/sem." + strings.TrimPrefix(p, "sem/")
		deadline := time.Now().Add(30 * time.Second)
		for {
			b, err := os.ReadFile(file)
			if err != nil || len(b) < sem.Host.Size {
				t.Fatalf("read %s: %v (%d bytes)", file, err, len(b))
			}
			if _, n, _ := sem.Host.Fields(b); n != 0 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				wait(cmd)
				t.Fatal("ipcfs wait never blocked")
			}
			time.Sleep(time.Millisecond)
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if code := wait(cmd); code != exitInterrupted || stderr.String() != "ipcfs: "+p+": interrupted\n" {
			t.Errorf("after Ctrl-C: exit %d, stderr %q; want 130 and %q", code, stderr, "ipcfs: "+p+": interrupted\n")
		}
		if got := semValue(t, ns, p); got != "0" {
			t.Errorf("value after an interrupted wait = %s, want 0", got)
		}
	})
}

// peakRSS returns the peak resident set size of the running process pid
// since its execve (VmHWM in /proc/PID/status), in bytes.
func peakRSS(pid int) (int64, error) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kib << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
