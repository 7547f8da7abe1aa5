package ipcfs

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

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
