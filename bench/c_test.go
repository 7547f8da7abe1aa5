package bench

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// buildCProgram compiles c/NAME.c the way bench/run does and returns the
// binary's path.
func buildCProgram(t testing.TB, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := testenv.CCCommand("-O2", "-Wall", "-Werror", "-o", bin, filepath.Join("c", name+".c"), "-lrt", "-pthread").CombinedOutput()
	if err != nil {
		t.Fatalf("gcc %s: %v\n%s", name, err, out)
	}
	return bin
}

// TestCBaselinesPrintOneResult runs every C baseline with a small count and
// checks it prints exactly the one RESULT line bench/run parses, and leaves
// no object behind.
func TestCBaselinesPrintOneResult(t *testing.T) {
	pfx := prefix() + "-c"
	cleanup := buildCProgram(t, "cleanup")
	t.Cleanup(func() { testenv.Command(cleanup, pfx).Run() })
	for _, tc := range []struct {
		prog, count, workload, unit string
	}{
		{"sem_pingpong", "100", "sem-pingpong", "ns/op"},
		{"sem_fast", "1000", "sem-fast", "ns/op"},
		{"mq_pingpong", "100", "mq-pingpong", "ns/op"},
		{"mq_stream", "1000", "mq-stream", "msgs/s"},
		{"mq_latency", "100", "mq-latency", "ns"},
		{"shm_copy", "1", "shm-copy", "GB/s"},
		{"shm_grow", "1", "shm-grow", "GB/s"},
	} {
		t.Run(tc.prog, func(t *testing.T) {
			bin := buildCProgram(t, tc.prog)
			cmd := testenv.Command(bin, pfx, tc.count)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", tc.prog, err)
			}
			want := regexp.MustCompile(`^RESULT ` + tc.workload + `( [0-9]+(\.[0-9]+)?)+ ` + regexp.QuoteMeta(tc.unit) + "\n$")
			if !want.Match(out) {
				t.Errorf("%s printed %q, want one line matching %s", tc.prog, out, want)
			}
			entries, _ := os.ReadDir("/dev/shm")
			for _, e := range entries {
				if strings.Contains(e.Name(), strings.TrimPrefix(pfx, "/")) {
					t.Errorf("left behind /dev/shm/%s", e.Name())
				}
			}
		})
	}
}
