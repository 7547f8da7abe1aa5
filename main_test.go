package ipcfs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
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
	os.Exit(m.Run())
}

// childCommand returns a command that runs role in a child process, with the
// extra environment variables env ("KEY=value").
func childCommand(t testing.TB, role string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
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

// buildC compiles the C program src with gcc into a temporary directory and
// returns the binary's path. Extra arguments (libraries, -pthread) follow
// the source.
func buildC(t testing.TB, src string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	cfile := filepath.Join(dir, "prog.c")
	if err := os.WriteFile(cfile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "prog")
	cmdArgs := append([]string{"-O2", "-Wall", "-o", bin, cfile}, args...)
	if out, err := exec.Command("gcc", cmdArgs...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", cmdArgs, err, out)
	}
	return bin
}
