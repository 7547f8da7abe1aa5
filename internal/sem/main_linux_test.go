//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// childRoles are the programs this test binary runs as a child process
// (IPCFS_SEMTEST_CHILD=role) instead of the tests.
var childRoles = map[string]func() error{
	"create-loop": childCreateLoop,
}

func TestMain(m *testing.M) {
	if role := os.Getenv("IPCFS_SEMTEST_CHILD"); role != "" {
		run, ok := childRoles[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
			os.Exit(2)
		}
		if err := run(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childCommand returns a command that runs role in a child process (this
// test binary again), through the emulator when the tests run under one
// (internal/testenv).
func childCommand(role string, env ...string) *exec.Cmd {
	cmd := testenv.Self("-test.run=^$")
	cmd.Env = append(append(os.Environ(), "IPCFS_SEMTEST_CHILD="+role), env...)
	cmd.Stderr = os.Stderr
	return cmd
}
