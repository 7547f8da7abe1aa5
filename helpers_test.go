//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Helpers shared by the tests of this package: child processes (TestMain
// runs the roles tests register), unique names, C peers, and creating,
// opening and checking objects of each kind.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// childRoles holds the programs a test can run in a child process: the test
// binary re-executes itself with IPCFS_TEST_CHILD=role, and TestMain runs
// childRoles[role] instead of the tests, exiting with its result. Test files
// register roles in init functions; role names start with the kind
// ("shm-", "mq-", "sem-").
var childRoles = map[string]func() int{}

func TestMain(m *testing.M) {
	if role := os.Getenv("IPCFS_TEST_CHILD"); role != "" {
		run, ok := childRoles[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
			os.Exit(2)
		}
		os.Exit(run())
	}
	testenv.SkipExamplesIfEmulated("^ExampleMqFile_Notify$", testenv.NoMqNotify)
	os.Exit(m.Run())
}

// childCommand returns a command that runs role in a child process, with the
// extra environment variables env ("KEY=value"); under emulation the child
// runs under the emulator too (internal/testenv).
func childCommand(t testing.TB, role string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := testenv.Self("-test.run=^$")
	cmd.Env = append(append(os.Environ(), "IPCFS_TEST_CHILD="+role), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

var nameSeq atomic.Int64

// uniqueName returns an object name (with a leading slash) unique to this
// test run, process and call, and safe for every kind.
func uniqueName(t testing.TB) string {
	t.Helper()
	base := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	if len(base) > 60 {
		base = base[len(base)-60:]
	}
	return fmt.Sprintf("/ipcfs-t%d-%d-%s", os.Getpid(), nameSeq.Add(1), base)
}

// buildC compiles the C program src into a temporary directory and returns
// the binary's path; start it with testenv.Command (under emulation it is
// built for the emulated architecture). Extra arguments (libraries,
// -pthread) follow the source.
func buildC(t testing.TB, src string, args ...string) string {
	t.Helper()
	return testenv.BuildC(t, src, args...)
}

// shmCreate creates a new segment of size bytes with a name unique to the
// test, opened read-write; the test's cleanup closes and removes it.
func shmCreate(t testing.TB, size int64) (*ShmFile, string) {
	t.Helper()
	name := uniqueName(t)
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, size)
	if err != nil {
		t.Fatalf("OpenShm(%q): %v", name, err)
	}
	t.Cleanup(func() {
		f.Close()
		shmRemoveQuietly(t, name)
	})
	return f, name
}

// shmRemoveQuietly removes name, failing the test on any error but
// fs.ErrNotExist.
func shmRemoveQuietly(t testing.TB, name string) {
	t.Helper()
	if err := RemoveShm(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveShm(%q): %v", name, err)
	}
}

// shmOpenT opens the existing segment name with flag; the test's cleanup
// closes it.
func shmOpenT(t testing.TB, name string, flag int) *ShmFile {
	t.Helper()
	f, err := OpenShm(name, flag, 0, 0)
	if err != nil {
		t.Fatalf("OpenShm(%q, %#o): %v", name, flag, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// shmHostPath is the file that holds the segment name.
func shmHostPath(name string) string { return "/dev/shm/" + name[1:] }

// semCreate creates a new semaphore with a unique name and the given value;
// the test's cleanup closes and removes it.
func semCreate(t testing.TB, value uint32) *SemFile {
	t.Helper()
	name := uniqueName(t)
	s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, value)
	if err != nil {
		t.Fatalf("OpenSem(%q): %v", name, err)
	}
	t.Cleanup(func() { semCleanup(t, s) })
	return s
}

// semCleanup closes s (unless already closed) and removes its name.
func semCleanup(t testing.TB, s *SemFile) {
	if err := s.Close(); err != nil && !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Close: %v", err)
	}
	if err := RemoveSem(s.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveSem: %v", err)
	}
}

// semWaitFor polls cond until it holds, failing the test after 20 s.
func semWaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// semWaiters returns the semaphore's nwaiters (all processes): one per
// waiting goroutine here, one per waiting thread in C.
func semWaiters(s *SemFile) int { return int(s.h.Waiters()) }

// semWaiting returns the number of goroutines of this process waiting on
// the semaphore, through any handle.
func semWaiting(s *SemFile) int { return s.h.Object().Waiting() }

// semValue returns the value, failing the test on error.
func semValue(t testing.TB, s *SemFile) int {
	t.Helper()
	v, err := s.Value()
	if err != nil {
		t.Fatalf("Value: %v", err)
	}
	return v
}

// Child processes for the reliability and security tests: roles named
// "rel-..." run in a re-executed test binary (see childRoles and
// TestMain), optionally under setpriv (another user, fewer
// capabilities) or unshare (a private IPC or mount namespace). A child
// reports each check on stdout as "ok WHAT" or "FAIL WHAT: DETAIL"; the
// parent turns every FAIL into a test error.

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

// Message payloads of every length and byte value, NUL included, come out
// exactly as they went in; too long or too high a priority is an error
// that sends nothing. Bounded fuzzing:
// go test -run='^$' -fuzz='^FuzzMqPayload$' -fuzztime=20s .

// relPrioMax is the highest message priority on Linux (MQ_PRIO_MAX-1,
// the library's QueuePriorityMax).
const relPrioMax = 32767

// relPayload returns n bytes that run through every byte value, shifted by
// n so that equal lengths are not the only thing compared.
func relPayload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i + n)
	}
	return p
}

// Fuzz tests for the first security boundary: no name, whatever its bytes,
// may reach a host path outside /dev/shm or /dev/mqueue, and every name is
// either refused with fs.ErrInvalid or accepted as a valid object name.
// They run as plain tests with their seed corpus under `go test`; bounded
// fuzzing: go test -run='^$' -fuzz='^FuzzNameRules$' -fuzztime=20s .

// relHostileNames are names that try to escape the IPC directories, alias
// another kind's files, or break C string handling. Every fuzz target over
// names starts from them.
var relHostileNames = []string{
	"", "/", "//", "///x", "//x", "x", "/x", ".", "..", "/.", "/..", "./x", "x/.",
	"../etc/passwd", "/../etc/passwd", "a/../../x", "..%2f..%2fetc%2fpasswd",
	"/dev/shm/x", "shm/x", "\\..\\x", "x\x00", "\x00", "/\x00/etc/passwd", "x\x00/../y",
	"sem.x", "/sem.x", "sem.", "/sem.", "sem", "sem.sem.x", ".sem.x",
	" ", "\t", "\n", "x\ny", "\xff\xfe", "ü", "日本", "\u202e", "%00", "~", "-rf", "*",
	strings.Repeat("a", 251), strings.Repeat("a", 252), strings.Repeat("a", 255),
	"/" + strings.Repeat("a", 255), strings.Repeat("a", 256), strings.Repeat("/", 300),
	strings.Repeat("../", 100) + "etc/passwd",
}

var relKindDirs = []string{"shm", "mq", "sem"}

func relKind(dir string) *kind.Kind {
	k, ok := kind.Lookup(dir)
	if !ok {
		panic("relKind: not a kind directory: " + dir)
	}
	return k
}

// relIsNameRuleError reports whether err holds one of the name-rule errors
// of internal/kind.
func relIsNameRuleError(err error) bool {
	for _, e := range []error{kind.ErrEmpty, kind.ErrSlash, kind.ErrDots, kind.ErrNUL, kind.ErrTooLong, kind.ErrReserved} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// mqSmall is the attribute set test queues use: small, so that tests running
// at the same time stay far from the host's per-user RLIMIT_MSGQUEUE.
var mqSmall = MqAttr{MaxMessages: 4, MessageSize: 64}

// mqCreate creates a fresh queue that is closed and removed when the test
// ends.
func mqCreate(t testing.TB, flag int, attr MqAttr) *MqFile {
	t.Helper()
	name := uniqueName(t)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|flag, 0o600, &attr)
	if err != nil {
		t.Fatalf("OpenMq(%q): %v", name, err)
	}
	t.Cleanup(func() {
		q.Close()
		if err := RemoveMq(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("RemoveMq(%q): %v", name, err)
		}
	})
	return q
}

// mqOpenAgain opens another handle of q's queue, closed when the test ends.
func mqOpenAgain(t testing.TB, q *MqFile, flag int) *MqFile {
	t.Helper()
	q2, err := OpenMq(q.Name(), flag, 0, nil)
	if err != nil {
		t.Fatalf("OpenMq(%q) again: %v", q.Name(), err)
	}
	t.Cleanup(func() { q2.Close() })
	return q2
}

func mqSend(t testing.TB, q *MqFile, msg string, prio uint) {
	t.Helper()
	if err := q.Send(context.Background(), []byte(msg), prio); err != nil {
		t.Fatalf("Send(%q, %d): %v", msg, prio, err)
	}
}

func mqRecv(t testing.TB, q *MqFile) (string, uint) {
	t.Helper()
	buf := make([]byte, 1024)
	n, prio, err := q.Receive(context.Background(), buf)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return string(buf[:n]), prio
}

func mqCurMessages(t testing.TB, q *MqFile) int64 {
	t.Helper()
	a, err := q.Attr()
	if err != nil {
		t.Fatalf("Attr: %v", err)
	}
	return a.CurMessages
}

// mqUmask reads the process umask from /proc/self/status.
func mqUmask() fs.FileMode {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			var m fs.FileMode
			for _, c := range strings.TrimSpace(v) {
				m = m*8 + fs.FileMode(c-'0')
			}
			return m
		}
	}
	return 0o022
}

func relNewQueue(t *testing.T, maxMessages int64) *MqFile {
	t.Helper()
	name := uniqueName(t)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: maxMessages, MessageSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); RemoveMq(name) })
	return q
}

// Resource limits: each gives an error that names the limit and how to
// raise it, still errors.Is the errno, and leaves nothing half-created.
// Every test runs its child in private namespaces (a new IPC namespace with
// its own mqueue limits, a new mount namespace with a small tmpfs at
// /dev/shm), so the host's shared limits are neither consumed nor needed,
// and whatever the child leaves dies with its namespaces.

func init() {
	childRoles["rel-limits"] = relLimitsChild
}

// relLimitsChild runs the check named by REL_CHECK.
func relLimitsChild() int {
	c := &relChild{}
	switch check := relEnv("REL_CHECK"); check {
	case "queues-max":
		relCheckQueuesMax(c)
	case "msg-max":
		relCheckMsgMax(c)
	case "rlimit-msgqueue":
		relCheckRlimitMsgqueue(c)
	case "rlimit-nofile":
		relCheckRlimitNofile(c)
	case "full-tmpfs":
		relCheckFullTmpfs(c)
	default:
		c.failf("unknown check %q", check)
	}
	return c.exit()
}

// relCheckLimitError reports whether err is errno and its text mentions
// every one of words (the limit's name, how to raise it).
func relCheckLimitError(c *relChild, what string, err error, errno syscall.Errno, words ...string) {
	var pe *fs.PathError
	switch {
	case err == nil:
		c.failf("%s: succeeded; want %v", what, errno)
	case !errors.As(err, &pe):
		c.failf("%s: %v is not an *fs.PathError", what, err)
	case !errors.Is(err, errno):
		c.failf("%s: %v; want errors.Is %v", what, err, errno)
	default:
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				c.failf("%s: error %q does not mention %q", what, err, w)
				return
			}
		}
		c.okf("%s: %v", what, err)
	}
}

// relShmEntries lists the child's private /dev/shm.
func relShmEntries() []string {
	entries, _ := os.ReadDir("/dev/shm")
	var list []string
	for _, e := range entries {
		list = append(list, e.Name())
	}
	sort.Strings(list)
	return list
}

func relShmEntriesHost(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/dev/shm")
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, e := range entries {
		list = append(list, e.Name())
	}
	return list
}

var relChildSeq atomic.Int64

// relChildName returns an object name unique to this child process.
func relChildName(tag string) string {
	return fmt.Sprintf("/ipcfs-rel-%d-%d-%s", os.Getpid(), relChildSeq.Add(1), tag)
}

// relSmallQueue is the attribute set tests create queues with: cheap in
// the per-user RLIMIT_MSGQUEUE budget every test on the machine shares.
var relSmallQueue = MqAttr{MaxMessages: 4, MessageSize: 64}

// relCreate creates an object of kind dir ("shm", "mq", "sem") named name
// with O_CREATE|O_EXCL and perm.
func relCreate(dir, name string, perm fs.FileMode) (File, error) {
	flag := os.O_RDWR | os.O_CREATE | os.O_EXCL
	switch dir {
	case "shm":
		return OpenShm(name, flag, perm, 16)
	case "mq":
		a := relSmallQueue
		return OpenMq(name, flag, perm, &a)
	case "sem":
		return OpenSem(name, flag, perm, 1)
	}
	panic("relCreate: bad kind " + dir)
}

func relRemove(dir, name string) error {
	switch dir {
	case "shm":
		return RemoveShm(name)
	case "mq":
		return RemoveMq(name)
	case "sem":
		return RemoveSem(name)
	}
	panic("relRemove: bad kind " + dir)
}

// Semaphores against hostile or racing neighbours: never visible half
// made, and a corrupt word costs errors or odd values, never a crash or a
// hang.

// relSemHostPath returns the host file of semaphore name.
func relSemHostPath(t *testing.T, name string) string {
	t.Helper()
	n, err := CleanName("sem", name)
	if err != nil {
		t.Fatal(err)
	}
	return kind.Sem.HostPath(n)
}

func shmCreateMode(t *testing.T, perm fs.FileMode) (*ShmFile, string) {
	t.Helper()
	name := uniqueName(t)
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); shmRemoveQuietly(t, name) })
	return f, name
}

// shmCheckPathError fails unless err is an *fs.PathError with op and path.
func shmCheckPathError(t *testing.T, err error, op, path string) {
	t.Helper()
	pe, ok := err.(*fs.PathError)
	if !ok {
		t.Errorf("error %v (%T) is not an *fs.PathError", err, err)
		return
	}
	if pe.Op != op || pe.Path != path {
		t.Errorf("PathError{Op: %q, Path: %q}; want {%q, %q}", pe.Op, pe.Path, op, path)
	}
}

// shmCheckSize fails unless Size, Stat and the host file all report want.
func shmCheckSize(t *testing.T, f *ShmFile, want int64) {
	t.Helper()
	if n, err := f.Size(); err != nil || n != want {
		t.Errorf("Size() = %d, %v; want %d", n, err, want)
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != want {
		t.Errorf("Stat().Size() = %v, %v; want %d", fi, err, want)
	}
	if fi, err := os.Stat(shmHostPath(f.Name())); err != nil || fi.Size() != want {
		t.Errorf("host file size = %v, %v; want %d", fi, err, want)
	}
}

// shmCheckContent fails unless the segment holds exactly want.
func shmCheckContent(t *testing.T, f *ShmFile, want string) {
	t.Helper()
	size, err := f.Size()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, size+1)
	n, err := f.ReadAt(got, 0)
	if string(got[:n]) != want || n != len(want) {
		t.Errorf("content = %q (%v); want %q", got[:n], err, want)
	}
}
