package ipcfs

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// semCSource is the C peer: glibc's sem_open/sem_wait/sem_post driven from
// the command line.
const semCSource = `
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static sem_t *open_sem(const char *name) {
	sem_t *s = sem_open(name, 0);
	if (s == SEM_FAILED) { printf("sem_open errno %d\n", errno); exit(2); }
	return s;
}

static long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *cmd = argv[1], *name = argv[2];
	if (!strcmp(cmd, "create")) {          /* create NAME VALUE MODE UMASK */
		umask(strtol(argv[5], 0, 8));
		sem_t *s = sem_open(name, O_CREAT | O_EXCL, (mode_t)strtol(argv[4], 0, 8), (unsigned)atoi(argv[3]));
		if (s == SEM_FAILED) { printf("errno %d\n", errno); return 1; }
		printf("ok\n");
		return 0;
	}
	sem_t *s = open_sem(name);
	int v;
	if (!strcmp(cmd, "value")) {
		sem_getvalue(s, &v);
		printf("%d\n", v);
	} else if (!strcmp(cmd, "post")) {
		if (sem_post(s) != 0) { printf("errno %d\n", errno); return 1; }
		printf("ok\n");
	} else if (!strcmp(cmd, "wait")) {
		printf("waiting\n");
		if (sem_wait(s) != 0) { printf("errno %d\n", errno); return 1; }
		printf("ok\n");
	} else if (!strcmp(cmd, "timedwait")) {   /* timedwait NAME MS */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long long ns = ts.tv_nsec + atoll(argv[3]) * 1000000LL;
		ts.tv_sec += ns / 1000000000LL;
		ts.tv_nsec = ns % 1000000000LL;
		if (sem_timedwait(s, &ts) == 0) printf("ok\n");
		else if (errno == ETIMEDOUT) printf("ETIMEDOUT\n");
		else printf("errno %d\n", errno);
	} else if (!strcmp(cmd, "pong") || !strcmp(cmd, "ping")) {   /* ping|pong A B N */
		sem_t *b = open_sem(argv[3]);
		long n = atol(argv[4]);
		int ping = !strcmp(cmd, "ping");
		printf("ready\n");
		long long t0 = now_ns();
		for (long i = 0; i < n; i++) {
			if (ping && sem_post(s) != 0) { printf("post errno %d\n", errno); return 1; }
			while (sem_wait(ping ? b : s) != 0) if (errno != EINTR) { printf("wait errno %d\n", errno); return 1; }
			if (!ping && sem_post(b) != 0) { printf("post errno %d\n", errno); return 1; }
		}
		printf("%lld\n", now_ns() - t0);
	}
	return 0;
}
`

// semC builds the C peer for this test.
func semC(t testing.TB) string {
	t.Helper()
	return buildC(t, semCSource, "-pthread")
}

// semRunC runs the C peer to completion and returns its trimmed output.
func semRunC(t testing.TB, bin string, args ...string) string {
	t.Helper()
	out, err := testenv.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("semc %v: %v (output %q)", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// semStartC starts the C peer and returns it with a reader of its output.
func semStartC(t testing.TB, bin string, args ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := testenv.Command(bin, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, bufio.NewReader(out)
}

func semReadLine(t testing.TB, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func TestSemInteropCCreatesGoOpens(t *testing.T) {
	c := semC(t)
	name := uniqueName(t)
	if out := semRunC(t, c, "create", name, "7", "0600", "022"); out != "ok" {
		t.Fatalf("C create: %s", out)
	}
	defer RemoveSem(name)
	s, err := OpenSem(name, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := semValue(t, s); v != 7 {
		t.Errorf("Go sees value %d, want 7", v)
	}
	s.Release()
	if out := semRunC(t, c, "value", name); out != "8" {
		t.Errorf("C sees value %s after a Go release, want 8", out)
	}
}

func TestSemInteropGoCreatesCOpens(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 5)
	if out := semRunC(t, c, "value", s.Name()); out != "5" {
		t.Errorf("C sees value %s, want 5", out)
	}
	if out := semRunC(t, c, "post", s.Name()); out != "ok" {
		t.Fatalf("C post: %s", out)
	}
	if v := semValue(t, s); v != 6 {
		t.Errorf("Go sees value %d after a C post, want 6", v)
	}
}

func TestSemInteropReleaseWakesCWaiter(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 0)
	cmd, out := semStartC(t, c, "wait", s.Name())
	if l := semReadLine(t, out); l != "waiting" {
		t.Fatalf("C: %q", l)
	}
	semWaitFor(t, "the C waiter to register", func() bool { return semWaiters(s) == 1 })
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if l := semReadLine(t, out); l != "ok" {
		t.Fatalf("C sem_wait: %q", l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
		t.Errorf("value %d nwaiters %d, want 0 0", v, w)
	}
}

func TestSemInteropCPostWakesGoAcquire(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 0)
	errc := make(chan error)
	go func() { errc <- s.Acquire(context.Background()) }()
	semWaitFor(t, "the Go waiter to register", func() bool { return semWaiters(s) == 1 })
	if out := semRunC(t, c, "post", s.Name()); out != "ok" {
		t.Fatalf("C post: %s", out)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
		t.Errorf("value %d nwaiters %d, want 0 0", v, w)
	}
}

func TestSemInteropTimedWaitAgrees(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 0)
	if out := semRunC(t, c, "timedwait", s.Name(), "50"); out != "ETIMEDOUT" {
		t.Errorf("C sem_timedwait on 0: %s, want ETIMEDOUT", out)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters after C timeout = %d, want 0", w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Go Acquire on 0: %v, want context.DeadlineExceeded", err)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters after Go timeout = %d, want 0", w)
	}
	s.Release()
	if out := semRunC(t, c, "timedwait", s.Name(), "50"); out != "ok" {
		t.Errorf("C sem_timedwait on 1: %s, want ok", out)
	}
}

func TestSemInteropPingPongLosesNoWakeUp(t *testing.T) {
	c := semC(t)
	rounds := testenv.Size(100_000, 10_000)
	ping, pong := semCreate(t, 0), semCreate(t, 0)
	cmd, out := semStartC(t, c, "pong", ping.Name(), pong.Name(), strconv.Itoa(rounds))
	if l := semReadLine(t, out); l != "ready" {
		t.Fatalf("C: %q", l)
	}
	start := time.Now()
	ctx := context.Background()
	for i := range rounds {
		if err := ping.Release(); err != nil {
			t.Fatal(err)
		}
		if err := pong.Acquire(ctx); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	elapsed := time.Since(start)
	semReadLine(t, out)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d Go-C round trips in %v (%.0f/s)", rounds, elapsed, float64(rounds)/elapsed.Seconds())
	if v1, v2 := semValue(t, ping), semValue(t, pong); v1 != 0 || v2 != 0 {
		t.Errorf("values after ping-pong %d %d, want 0 0", v1, v2)
	}
}

// Go waiters that are cancelled while C waiters sleep and units are
// posted must pass on any wake-up they swallowed: every C waiter wakes.
func TestSemInteropCancelledGoWaitersStrandNoCWaiter(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 0)
	const cWaiters, goWaiters = 3, 20
	var cmds []*exec.Cmd
	for range cWaiters {
		cmd, out := semStartC(t, c, "wait", s.Name())
		if l := semReadLine(t, out); l != "waiting" {
			t.Fatalf("C: %q", l)
		}
		cmds = append(cmds, cmd)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	taken := make(chan struct{}, goWaiters)
	for range goWaiters {
		wg.Go(func() {
			if s.Acquire(ctx) == nil {
				taken <- struct{}{}
			}
		})
	}
	semWaitFor(t, "all waiters", func() bool { return semWaiters(s) == cWaiters+goWaiters })
	var posts sync.WaitGroup
	posts.Go(func() {
		for range cWaiters + goWaiters {
			s.Release()
		}
	})
	cancel()
	posts.Wait()
	wg.Wait()
	close(taken)
	goTook := len(taken)
	// The C waiters take what the Go waiters left; each must wake.
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("C waiter %d: %v", i, err)
		}
	}
	if v, w := semValue(t, s), semWaiters(s); v != goWaiters-goTook || w != 0 {
		t.Errorf("value %d nwaiters %d, want %d 0", v, w, goWaiters-goTook)
	}
}
