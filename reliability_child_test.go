//go:build linux

package ipcfs

// Child processes for the reliability and security tests: roles named
// "rel-..." run in a re-executed test binary (see childRoles in
// main_test.go), optionally under setpriv (another user, fewer
// capabilities) or unshare (a private IPC or mount namespace). A child
// reports each check on stdout as "ok WHAT" or "FAIL WHAT: DETAIL"; the
// parent turns every FAIL into a test error.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// relChild is a child process's view of its checks: what it prints goes
// to the parent, and its exit status is 1 after any failure.
type relChild struct {
	mu     sync.Mutex
	failed bool
}

func (c *relChild) okf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Printf("ok "+format+"\n", args...)
}

func (c *relChild) failf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed = true
	fmt.Printf("FAIL "+format+"\n", args...)
}

// check reports ok or FAIL for what, depending on cond.
func (c *relChild) check(cond bool, what string, detailFormat string, args ...any) {
	if cond {
		c.okf("%s", what)
	} else {
		c.failf("%s: "+detailFormat, append([]any{what}, args...)...)
	}
}

// valuef prints "value KEY VALUE" for the parent to read with relValues.
func (c *relChild) valuef(key string, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Printf("value %s "+format+"\n", append([]any{key}, args...)...)
}

func (c *relChild) exit() int {
	if c.failed {
		return 1
	}
	return 0
}

// relWorldExecutable returns a copy of the test binary that any user can
// run (the go build cache directories are private to their owner), in a
// directory removed when t ends.
func relWorldExecutable(t *testing.T) (string, error) {
	dir := t.TempDir()
	// t.TempDir makes its directory and that directory's parent 0700.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			return "", err
		}
	}
	src, err := os.Open(testenv.Executable())
	if err != nil {
		return "", err
	}
	defer src.Close()
	bin := filepath.Join(dir, "ipcfs.test")
	dst, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return "", err
	}
	return bin, dst.Close()
}

// relChildOpts says how to run a child role.
type relChildOpts struct {
	env    []string // extra "KEY=value" variables
	uid    int      // run as this uid and gid (setpriv) when non-zero
	noRes  bool     // drop CAP_SYS_RESOURCE, so the kernel's limits apply even to root
	ipcNS  bool     // run in a new IPC namespace (unshare --ipc)
	mntNS  bool     // run in a new mount namespace (unshare --mount)
	setup  string   // shell commands run before the child, inside the namespaces
	stdin  io.Reader
	wait   time.Duration // how long the child may run (default 2 minutes)
	expect int           // exit status the test expects (default 0)
}

// relCommand builds the command for role with opts. Running as another
// user, without a capability or in new namespaces needs root (on CI, and
// on the development machine, tests run as root); elsewhere such tests are
// skipped with the reason.
func relCommand(t *testing.T, role string, opts relChildOpts) *exec.Cmd {
	t.Helper()
	if (opts.uid != 0 || opts.noRes || opts.ipcNS || opts.mntNS || opts.setup != "") && os.Geteuid() != 0 {
		t.Skipf("needs root: the child %s runs under setpriv or unshare", role)
	}
	if opts.ipcNS || opts.mntNS {
		relCheckUnshare(t)
	}
	cmd := childCommand(t, role, opts.env...)
	args := testenv.Argv(testenv.Executable(), "-test.run=^$")
	if opts.uid != 0 {
		bin, err := relWorldExecutable(t)
		if err != nil {
			t.Fatalf("copying the test binary for another user: %v", err)
		}
		args = testenv.Argv(bin, "-test.run=^$")
		id := fmt.Sprint(opts.uid)
		args = append([]string{"setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups"}, args...)
	}
	if opts.noRes {
		args = append([]string{"setpriv", "--bounding-set=-sys_resource", "--inh-caps=-sys_resource"}, args...)
	}
	if opts.setup != "" {
		args = append([]string{"sh", "-ec", opts.setup + "\nexec \"$@\"", "sh"}, args...)
	}
	if opts.ipcNS || opts.mntNS {
		u := []string{"unshare"}
		if opts.ipcNS {
			u = append(u, "--ipc")
		}
		if opts.mntNS {
			u = append(u, "--mount", "--propagation=private")
		}
		args = append(append(u, "--"), args...)
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		t.Fatalf("%s is needed for this test: %v", args[0], err)
	}
	cmd.Path, cmd.Args = path, args
	if opts.stdin != nil {
		cmd.Stdin = opts.stdin
	}
	return cmd
}

// relCheckUnshare fails t with an explanation when this root cannot make
// namespaces (a container without CAP_SYS_ADMIN).
func relCheckUnshare(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("unshare", "--ipc", "--mount", "true").CombinedOutput(); err != nil {
		t.Fatalf("unshare --ipc --mount: %v: %s (the limit tests need CAP_SYS_ADMIN to make private IPC and mount namespaces)", err, out)
	}
}

// relRunChild runs role to completion and returns its "value" lines as a
// map; every "FAIL" line becomes a test error, and so does an unexpected
// exit status. A child that does not start or finish in time is fatal.
func relRunChild(t *testing.T, role string, opts relChildOpts) map[string]string {
	t.Helper()
	values, err := relTryChild(t, role, opts)
	if err != nil {
		t.Fatal(err)
	}
	return values
}

// relTryChild is relRunChild for goroutines other than the test's: it
// returns the errors it would have been fatal about.
func relTryChild(t *testing.T, role string, opts relChildOpts) (map[string]string, error) {
	t.Helper()
	cmd := relCommand(t, role, opts)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting child %s: %v", role, err)
	}
	wait := opts.wait
	if wait == 0 {
		wait = 2 * time.Minute
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(wait):
		cmd.Process.Kill()
		<-done
		return nil, fmt.Errorf("child %s still running after %v; output:\n%s", role, wait, out.String())
	}
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		return nil, fmt.Errorf("child %s: %v", role, err)
	}
	values := relParseChildOutput(t, role, bytes.NewReader(out.Bytes()))
	if status != opts.expect {
		t.Errorf("child %s exited with status %d; want %d; output:\n%s", role, status, opts.expect, out.String())
	}
	return values, nil
}

func relParseChildOutput(t *testing.T, role string, out io.Reader) map[string]string {
	t.Helper()
	values := map[string]string{}
	oks := 0
	defer func() {
		if oks > 0 {
			t.Logf("child %s: %d checks passed", role, oks)
		}
	}()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok "):
			oks++
		case strings.HasPrefix(line, "FAIL "):
			t.Errorf("child %s: %s", role, strings.TrimPrefix(line, "FAIL "))
		case strings.HasPrefix(line, "value "):
			k, v, _ := strings.Cut(strings.TrimPrefix(line, "value "), " ")
			values[k] = v
		}
	}
	return values
}

// relEnv returns the value of the environment variable key, which a child
// role needs; it exits the child with status 2 when it is missing.
func relEnv(key string) string {
	v, ok := os.LookupEnv(key)
	if !ok {
		fmt.Fprintf(os.Stderr, "child: %s not set\n", key)
		os.Exit(2)
	}
	return v
}
