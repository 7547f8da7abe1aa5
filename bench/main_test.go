package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// warmup is the number of untimed rounds before the clock starts, as in the
// C programs (WARMUP in c/common.h).
const warmup = 1000

// childRoles holds the programs the re-executed test binary can run as the
// second process of a workload; TestMain runs childRoles[$IPCFS_BENCH_CHILD]
// instead of the tests and benchmarks.
var childRoles = map[string]func(env childEnv) error{}

func TestMain(m *testing.M) {
	if role := os.Getenv("IPCFS_BENCH_CHILD"); role != "" {
		run, ok := childRoles[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
			os.Exit(2)
		}
		// The parent holds our stdin open; when it goes away, so do we.
		go func() {
			io.Copy(io.Discard, os.Stdin)
			fmt.Fprintln(os.Stderr, "bench child: parent gone")
			os.Exit(3)
		}()
		if err := run(readChildEnv()); err != nil {
			fmt.Fprintf(os.Stderr, "bench child %s: %v\n", role, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childEnv is what a child role is told: a count and object names.
type childEnv struct {
	n     int
	names []string
}

func readChildEnv() childEnv {
	n, _ := strconv.Atoi(os.Getenv("IPCFS_BENCH_N"))
	return childEnv{n: n, names: strings.Fields(os.Getenv("IPCFS_BENCH_NAMES"))}
}

// prefix returns the start of every object name this process creates.
func prefix() string {
	if p := os.Getenv("IPCFS_BENCH_PREFIX"); p != "" {
		return p
	}
	return fmt.Sprintf("/ipcfs-bench-%d", os.Getpid())
}

// objName returns the object name for suffix; c/cleanup.c knows every suffix.
func objName(suffix string) string { return prefix() + suffix }

// clock lets a workload start and stop a benchmark's timer around the timed
// loop; tests pass noClock.
type clock struct{ start, stop func() }

var noClock = clock{start: func() {}, stop: func() {}}

func benchClock(b *testing.B) clock { return clock{start: b.ResetTimer, stop: b.StopTimer} }

// child is the second process of a workload.
type child struct {
	cmd    *exec.Cmd
	stdin  *os.File      // held open; closing it tells the child to exit
	out    *bufio.Reader // the child's stdout, for handshake lines
	outR   *os.File
	done   chan struct{} // closed when the child has exited
	err    error         // the exit error, valid after done
	failed atomic.Bool   // the child exited with an error
}

// startChild runs role in a new process of this test binary with count n and
// the given object names. onFail, if not nil, runs when the child exits with
// an error, to unblock the parent (release the semaphore or make room in the
// queue the parent waits on).
func startChild(role string, n int, onFail func(), names ...string) (*child, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd := testenv.Self("-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(),
		"IPCFS_BENCH_CHILD="+role,
		"IPCFS_BENCH_N="+strconv.Itoa(n),
		"IPCFS_BENCH_NAMES="+strings.Join(names, " "))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, os.Stderr
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, err
	}
	c := &child{cmd: cmd, stdin: inW, out: bufio.NewReader(outR), outR: outR, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		if c.err != nil {
			c.failed.Store(true)
			if onFail != nil {
				onFail()
			}
		}
		close(c.done)
	}()
	return c, nil
}

// expect reads one line from the child and checks it is want.
func (c *child) expect(want string) error {
	line, err := c.out.ReadString('\n')
	if err != nil {
		<-c.done
		return fmt.Errorf("child: waiting for %q: %v (exit: %v)", want, err, c.err)
	}
	if line = strings.TrimSpace(line); line != want {
		return fmt.Errorf("child said %q, want %q", line, want)
	}
	return nil
}

// check returns an error if the child has failed.
func (c *child) check() error {
	if c.failed.Load() {
		<-c.done
		return fmt.Errorf("child: %v", c.err)
	}
	return nil
}

// wait waits for the child to exit and returns its exit error. Without
// success within a minute it kills the child.
func (c *child) wait() error {
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		c.cmd.Process.Kill()
		<-c.done
	}
	c.stdin.Close()
	c.outR.Close()
	if c.err != nil {
		return fmt.Errorf("child: %w", c.err)
	}
	return nil
}

// kill ends the child (after a failure in the parent) and waits for it.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.done
	c.stdin.Close()
	c.outR.Close()
}

// say writes a handshake line to the parent.
func say(line string) error {
	_, err := fmt.Fprintln(os.Stdout, line)
	return err
}

// skipUnsupported skips a test when the platform (or a stub) does not
// implement the kind under test.
func skipUnsupported(t *testing.T, err error) {
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("not supported here: %v", err)
	}
}

// TestWorkloadsRun runs each two-process and one-process workload briefly,
// so the benchmark code itself is exercised by go test.
func TestWorkloadsRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(int, clock) (time.Duration, error)
	}{
		{"sem-pingpong", semPingPong},
		{"sem-fast", semFast},
		{"mq-pingpong", mqPingPong},
		{"mq-stream", mqStream},
		{"mq-latency", func(n int, _ clock) (time.Duration, error) {
			p50, p99, err := mqLatency(n, 0)
			if err == nil && (p50 <= 0 || p99 < p50) {
				err = fmt.Errorf("latency p50 %v, p99 %v", p50, p99)
			}
			return p99, err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.run(50, noClock)
			skipUnsupported(t, err)
			if err != nil {
				t.Fatal(err)
			}
			if d <= 0 {
				t.Errorf("elapsed %v, want > 0", d)
			}
		})
	}
}
