//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sem"
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

// relSemOpenerC spins in sem_open on NAME-0, NAME-1, ... until each exists
// and prints its value: glibc does not validate the file, so a semaphore
// visible before it is complete would crash it (SIGBUS on a short file) or
// show a wrong value.
const relSemOpenerC = `
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	int rounds = atoi(argv[2]);
	char name[512];
	for (int i = 0; i < rounds; i++) {
		snprintf(name, sizeof name, "%s-%d", argv[1], i);
		sem_t *s;
		while ((s = sem_open(name, 0)) == SEM_FAILED) {
			if (errno != ENOENT) { perror("sem_open"); return 1; }
		}
		int v = -1;
		sem_getvalue(s, &v);
		printf("%d %d\n", i, v);
		fflush(stdout);
		sem_close(s);
	}
	return 0;
}
`

func TestSecuritySemaphoreNeverHalfInitialisedForGlibc(t *testing.T) {
	const rounds, value = 100, 7
	bin := buildC(t, relSemOpenerC, "-pthread")
	base := uniqueName(t)
	cmd := testenv.Command(bin, base, strconv.Itoa(rounds))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	for i := range rounds {
		name := fmt.Sprintf("%s-%d", base, i)
		s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, value)
		if err != nil {
			t.Fatal(err)
		}
		if !lines.Scan() {
			s.Close()
			RemoveSem(name)
			t.Fatalf("round %d: the C opener ended (%v); a half-made semaphore would crash it with SIGBUS", i, cmd.Wait())
		}
		if got, want := lines.Text(), fmt.Sprintf("%d %d", i, value); got != want {
			t.Errorf("round %d: C's sem_open saw %q; want %q", i, got, want)
		}
		s.Close()
		if err := RemoveSem(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("C opener: %v", err)
	}
}

func init() {
	childRoles["sem-create"] = semChildCreate
	childRoles["sem-relay"] = semChildRelay
	childRoles["sem-wait"] = semChildWait
}

// semChildCreate creates IPCFS_SEM_NAME with mode IPCFS_SEM_PERM and value
// IPCFS_SEM_VALUE under umask IPCFS_SEM_UMASK (octal).
func semChildCreate() int {
	umask, _ := strconv.ParseUint(os.Getenv("IPCFS_SEM_UMASK"), 8, 32)
	perm, _ := strconv.ParseUint(os.Getenv("IPCFS_SEM_PERM"), 8, 32)
	value, _ := strconv.ParseUint(os.Getenv("IPCFS_SEM_VALUE"), 10, 32)
	syscall.Umask(int(umask))
	s, err := OpenSem(os.Getenv("IPCFS_SEM_NAME"), os.O_CREATE|os.O_EXCL, os.FileMode(perm), uint32(value))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return semChildExit(s.Close())
}

// semChildRelay acquires IPCFS_SEM_N units from IPCFS_SEM_NAME, one at a
// time, releasing one into IPCFS_SEM_OUT for each.
func semChildRelay() int {
	in, err := OpenSem(os.Getenv("IPCFS_SEM_NAME"), 0, 0, 0)
	if err != nil {
		return semChildExit(err)
	}
	defer in.Close()
	out, err := OpenSem(os.Getenv("IPCFS_SEM_OUT"), 0, 0, 0)
	if err != nil {
		return semChildExit(err)
	}
	defer out.Close()
	n, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_N"))
	for range n {
		if err := in.Acquire(context.Background()); err != nil {
			return semChildExit(err)
		}
		if err := out.Release(); err != nil {
			return semChildExit(err)
		}
	}
	return 0
}

// semChildWait says "waiting" and acquires one unit of IPCFS_SEM_NAME.
func semChildWait() int {
	s, err := OpenSem(os.Getenv("IPCFS_SEM_NAME"), 0, 0, 0)
	if err != nil {
		return semChildExit(err)
	}
	fmt.Println("waiting")
	return semChildExit(s.Acquire(context.Background()))
}

func semChildExit(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestSemCountingAcrossProcesses(t *testing.T) {
	in, out := semCreate(t, 0), semCreate(t, 0)
	const children, each = 3, 300
	var cmds []*exec.Cmd
	for range children {
		cmds = append(cmds, semStartChild(t, "sem-relay", "IPCFS_SEM_NAME="+in.Name(),
			"IPCFS_SEM_OUT="+out.Name(), "IPCFS_SEM_N="+strconv.Itoa(each)))
	}
	if n, err := in.Write(make([]byte, children*each)); n != children*each || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	// Read takes what is there each time; ReadFull keeps reading until
	// every unit relayed by the children has come back.
	if n, err := io.ReadFull(out, make([]byte, children*each)); n != children*each || err != nil {
		t.Fatalf("ReadFull = %d, %v", n, err)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	for _, s := range []*SemFile{in, out} {
		if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
			t.Errorf("%s: value %d nwaiters %d, want 0 0", s.Name(), v, w)
		}
	}
}

// semStartChild starts a child process in role; the test's cleanup kills
// it if it is still running.
func semStartChild(t testing.TB, role string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := childCommand(t, role, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func TestSemFileBytesAndModeMatchGlibc(t *testing.T) {
	c := semC(t)
	tests := []struct {
		umask, perm string
		want        os.FileMode
	}{
		{"022", "0666", 0o644},
		{"077", "0666", 0o600},
		{"000", "0666", 0o666},
		{"022", "0600", 0o600},
	}
	want := sem.Host.Image(3) // internal/sem's layout tests hold it to glibc's bytes for every architecture
	for _, tt := range tests {
		t.Run("umask "+tt.umask+" perm "+tt.perm, func(t *testing.T) {
			goName, cName := uniqueName(t), uniqueName(t)
			t.Cleanup(func() { RemoveSem(goName); RemoveSem(cName) })
			ch := semStartChild(t, "sem-create", "IPCFS_SEM_NAME="+goName, "IPCFS_SEM_UMASK="+tt.umask,
				"IPCFS_SEM_PERM="+tt.perm, "IPCFS_SEM_VALUE=3")
			if err := ch.Wait(); err != nil {
				t.Fatalf("Go child: %v", err)
			}
			if out := semRunC(t, c, "create", cName, "3", tt.perm, tt.umask); out != "ok" {
				t.Fatalf("C create: %s", out)
			}
			for who, name := range map[string]string{"Go": goName, "glibc": cName} {
				host := "/dev/shm/sem." + name[1:]
				b, err := os.ReadFile(host)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b, want) {
					t.Errorf("%s file bytes\n% x\nwant\n% x", who, b, want)
				}
				fi, err := os.Stat(host)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode() != tt.want {
					t.Errorf("%s file mode %v, want %v", who, fi.Mode(), tt.want)
				}
			}
		})
	}
}

func TestSemKilledWaiterLeavesSemaphoreUsable(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 0)
	ch := semStartChild(t, "sem-wait", "IPCFS_SEM_NAME="+s.Name())
	semWaitFor(t, "the child to wait", func() bool { return semWaiters(s) == 1 })
	ch.Process.Kill()
	ch.Wait()
	if w := semWaiters(s); w != 1 {
		t.Errorf("nwaiters after the kill = %d, want the stale 1", w)
	}
	// Posts now wake nobody (a spurious FUTEX_WAKE); values stay right.
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if v := semValue(t, s); v != 1 {
		t.Errorf("value = %d, want 1", v)
	}
	if err := s.TryAcquire(); err != nil {
		t.Fatal(err)
	}
	// A new Go waiter and a C waiter are both woken as usual.
	errc := make(chan error)
	go func() { errc <- s.Acquire(context.Background()) }()
	semWaitFor(t, "the Go waiter", func() bool { return semWaiters(s) == 2 })
	s.Release()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	cmd, out := semStartC(t, c, "wait", s.Name())
	semReadLine(t, out)
	semWaitFor(t, "the C waiter", func() bool { return semWaiters(s) == 2 })
	s.Release()
	if l := semReadLine(t, out); l != "ok" {
		t.Errorf("C waiter: %q", l)
	}
	cmd.Wait()
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 1 {
		t.Errorf("value %d nwaiters %d, want 0 and the stale 1", v, w)
	}
}

func init() {
	childRoles["sem-many"] = semChildMany
}

// semEngineCSource is the C peer of these tests.
//
//	countwait NAME            one waiter thread with glibc's wait algorithm
//	                          (nptl sem_waitcommon.c, 64-bit), counting each
//	                          return from its futex sleep; "count" on stdin
//	                          prints the count; on taking a unit it prints
//	                          "acquired COUNT" and exits
//	waiters QUOTA THREADS NAME...
//	                          THREADS threads, each taking QUOTA units of each
//	                          semaphore in turn with sem_wait or a short
//	                          sem_timedwait (retried); prints "done"
//	post N NAME...            posts N units to each semaphore, round robin
const semEngineCSource = `
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sem_t *open_sem(const char *name) {
	sem_t *s = sem_open(name, 0);
	if (s == SEM_FAILED) { printf("sem_open %s errno %d\n", name, errno); exit(2); }
	return s;
}

struct glibc_sem { uint64_t data; int private; int pad; };
static long futex_returns;

static void *countwait(void *arg) {
	struct glibc_sem *s = arg;
	uint64_t d = __atomic_add_fetch(&s->data, 1ULL << 32, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((d & 0xffffffffu) == 0) {
			syscall(SYS_futex, (uint32_t *)&s->data, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, NULL, NULL,
				FUTEX_BITSET_MATCH_ANY);
			__atomic_add_fetch(&futex_returns, 1, __ATOMIC_SEQ_CST);
			d = __atomic_load_n(&s->data, __ATOMIC_SEQ_CST);
		} else if (__atomic_compare_exchange_n(&s->data, &d, d - 1 - (1ULL << 32), 0, __ATOMIC_SEQ_CST,
				__ATOMIC_SEQ_CST)) {
			printf("acquired %ld\n", __atomic_load_n(&futex_returns, __ATOMIC_SEQ_CST));
			exit(0);
		}
	}
}

struct wargs { sem_t **s; int n; long quota; unsigned seed; };

static void *waiter(void *arg) {
	struct wargs *a = arg;
	for (long q = 0; q < a->quota; q++) {
		for (int i = 0; i < a->n; i++) {
			for (;;) {
				int r;
				if (rand_r(&a->seed) % 2) {
					r = sem_wait(a->s[i]);
				} else {
					struct timespec ts;
					clock_gettime(CLOCK_REALTIME, &ts);
					ts.tv_nsec += (long)(rand_r(&a->seed) % 2000) * 1000;
					if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
					r = sem_timedwait(a->s[i], &ts);
				}
				if (r == 0) break;
				if (errno != ETIMEDOUT && errno != EINTR) { printf("wait errno %d\n", errno); exit(1); }
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "countwait")) {
		sem_t *s = open_sem(argv[2]);
		pthread_t th;
		pthread_create(&th, NULL, countwait, s);
		printf("waiting %d\n", getpid());
		char line[64];
		while (fgets(line, sizeof line, stdin)) {
			if (!strncmp(line, "count", 5)) printf("%ld\n", __atomic_load_n(&futex_returns, __ATOMIC_SEQ_CST));
		}
		return 0;
	}
	if (!strcmp(cmd, "waiters")) {
		long quota = atol(argv[2]);
		int threads = atoi(argv[3]), n = argc - 4;
		sem_t **s = calloc(n, sizeof *s);
		for (int i = 0; i < n; i++) s[i] = open_sem(argv[4 + i]);
		pthread_t th[64];
		struct wargs a[64];
		for (int t = 0; t < threads; t++) {
			a[t] = (struct wargs){s, n, quota, (unsigned)(getpid() * 131 + t)};
			pthread_create(&th[t], NULL, waiter, &a[t]);
		}
		for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
		printf("done\n");
		return 0;
	}
	if (!strcmp(cmd, "post")) {
		long count = atol(argv[2]);
		int n = argc - 3;
		sem_t **s = calloc(n, sizeof *s);
		for (int i = 0; i < n; i++) s[i] = open_sem(argv[3 + i]);
		for (long k = 0; k < count; k++) {
			for (int i = 0; i < n; i++) {
				if (sem_post(s[i]) != 0) { printf("post errno %d\n", errno); return 1; }
			}
			if (k % 16 == 0) usleep(50);
		}
		printf("done\n");
		return 0;
	}
	return 2;
}
`

// semEngineModes runs f with the futex_waitv engine (where the kernel has
// it) and with the fallback forced, here and in the Go children (env).
func semEngineModes(t *testing.T, f func(t *testing.T, env []string)) {
	for _, fallback := range []bool{false, true} {
		name, env := "waitv", []string{"IPCFS_SEM_FALLBACK=0"}
		if fallback {
			name, env = "fallback", []string{"IPCFS_SEM_FALLBACK=1"}
		}
		t.Run(name, func(t *testing.T) {
			if !fallback && !futex.WaitvSupported() {
				t.Skip("futex_waitv is not available here: only the fallback runs")
			}
			prev := sem.SetFallback(fallback)
			t.Cleanup(func() { sem.SetFallback(prev) })
			f(t, env)
		})
	}
}

// semChildMany runs IPCFS_SEM_G goroutines, each taking IPCFS_SEM_QUOTA
// units of each semaphore of IPCFS_SEM_NAMES in turn, waiting with random
// timeouts up to 2 ms (and retrying), so that its waits keep giving up
// while units arrive.
func semChildMany() int {
	names := strings.Fields(os.Getenv("IPCFS_SEM_NAMES"))
	g, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_G"))
	quota, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_QUOTA"))
	ss := make([]*SemFile, len(names))
	for i, n := range names {
		s, err := OpenSem(n, 0, 0, 0)
		if err != nil {
			return semChildExit(err)
		}
		defer s.Close()
		ss[i] = s
	}
	var wg sync.WaitGroup
	errs := make(chan error, g)
	for range g {
		wg.Go(func() {
			for range quota {
				for _, s := range ss {
					for {
						ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(2000))*time.Microsecond)
						err := s.Acquire(ctx)
						cancel()
						if err == nil {
							break
						}
						if !errors.Is(err, context.DeadlineExceeded) {
							errs <- err
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return semChildExit(err)
	}
	fmt.Println("done")
	return 0
}

// Go processes of many goroutines that keep giving up and retrying, C
// threads in sem_wait and sem_timedwait, a Go and a C poster, on the same
// semaphores: every participant takes exactly its quota, so all of them
// finish only if no unit is lost and no wake-up is lost; at the end the
// semaphores are back to zero with no waiter registered.
func TestSemInteropManyGoroutinesAndCWaitersExactUnits(t *testing.T) {
	c := buildC(t, semEngineCSource, "-pthread")
	semEngineModes(t, func(t *testing.T, env []string) {
		const sems, goProcs, goroutines, cProcs, cThreads, quota = 3, 3, 40, 2, 4, 5
		ss := make([]*SemFile, sems)
		var names []string
		for i := range ss {
			ss[i] = semCreate(t, 0)
			names = append(names, ss[i].Name())
		}
		perSem := (goProcs*goroutines + cProcs*cThreads) * quota
		type proc struct {
			what string
			cmd  *exec.Cmd
			out  *strings.Builder
		}
		var procs []proc
		start := func(what string, cmd *exec.Cmd) {
			out := new(strings.Builder)
			cmd.Stdout = out
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			procs = append(procs, proc{what, cmd, out})
		}
		for i := range goProcs {
			cmd := childCommand(t, "sem-many", append(env, "IPCFS_SEM_NAMES="+strings.Join(names, " "),
				"IPCFS_SEM_G="+strconv.Itoa(goroutines), "IPCFS_SEM_QUOTA="+strconv.Itoa(quota))...)
			start(fmt.Sprintf("Go process %d", i), cmd)
		}
		for i := range cProcs {
			start(fmt.Sprintf("C waiters %d", i), testenv.Command(c, append([]string{"waiters", strconv.Itoa(quota), strconv.Itoa(cThreads)}, names...)...))
		}
		// Half the units from C, half from here.
		start("C poster", testenv.Command(c, append([]string{"post", strconv.Itoa(perSem / 2)}, names...)...))
		for k := range perSem - perSem/2 {
			for _, s := range ss {
				if err := s.Release(); err != nil {
					t.Fatal(err)
				}
			}
			if k%16 == 0 {
				time.Sleep(50 * time.Microsecond) // let waiters queue; not synchronisation
			}
		}
		deadline := time.AfterFunc(90*time.Second, func() {
			for _, p := range procs {
				p.cmd.Process.Kill()
			}
		})
		defer deadline.Stop()
		for _, p := range procs {
			if err := p.cmd.Wait(); err != nil || strings.TrimSpace(p.out.String()) != "done" {
				t.Errorf("%s: %v, output %q (a lost unit or wake-up leaves it waiting)", p.what, err, p.out.String())
			}
		}
		for i, s := range ss {
			if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
				t.Errorf("semaphore %d: value %d nwaiters %d, want 0 0", i, v, w)
			}
		}
	})
}

// semCountWaiter is the C waiter that counts its futex returns.
type semCountWaiter struct {
	cmd *exec.Cmd
	in  *os.File
	out *bufio.Reader
	pid int
}

func semStartCountWaiter(t *testing.T, c string, s *SemFile) *semCountWaiter {
	t.Helper()
	cmd := testenv.Command(c, "countwait", s.Name())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	w := &semCountWaiter{cmd: cmd, in: stdin.(*os.File), out: bufio.NewReader(stdout), pid: cmd.Process.Pid}
	if l := semReadLine(t, w.out); !strings.HasPrefix(l, "waiting ") {
		t.Fatalf("C: %q", l)
	}
	// Wait until it sleeps on the semaphore, as the kernel counts the
	// sleepers on the word (not /proc: another of its threads may sleep in
	// futex, and under emulation it shows the emulator's calls).
	semWaitFor(t, "the C waiter to sleep on the semaphore", func() bool {
		n, err := s.h.Word.Sleepers()
		return err == nil && n == 1
	})
	return w
}

// count returns how often the C waiter has returned from its futex sleep.
func (w *semCountWaiter) count(t *testing.T) int {
	t.Helper()
	if _, err := fmt.Fprintln(w.in, "count"); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(semReadLine(t, w.out))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Cancelling, timing out and closing the waits of many goroutines, direct
// and queued, ends them without waking a sleeper in another process: the
// C waiter's futex sleep never returns until a unit is posted.
func TestSemGivingUpWakesNoOtherProcess(t *testing.T) {
	c := buildC(t, semEngineCSource, "-pthread")
	semEngineModes(t, func(t *testing.T, _ []string) {
		s := semCreate(t, 0)
		cw := semStartCountWaiter(t, c, s)
		other, err := OpenSem(s.Name(), 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		const n = 12
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		errs := make(chan error, 3*n)
		for range n {
			go func() { errs <- s.Acquire(ctx) }()
			go func() { errs <- other.Acquire(context.Background()) }()
		}
		semWaitFor(t, "the Go waiters", func() bool { return semWaiting(s) == 2*n && semWaiters(s) == 2*n+1 })
		// Waiters that time out: on a loaded machine some may time out
		// before the last one waits, so count those that returned too
		// (giving up is what is tested, asleep or not yet).
		var timedOut atomic.Int32
		for range n {
			go func() {
				tctx, tcancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
				defer tcancel()
				err := s.Acquire(tctx)
				timedOut.Add(1)
				errs <- err
			}()
		}
		semWaitFor(t, "the timed Go waiters", func() bool { return semWaiting(s)+int(timedOut.Load()) == 3*n })
		cancel()
		if err := other.Close(); err != nil {
			t.Fatal(err)
		}
		for range 3 * n {
			if err := <-errs; err == nil {
				t.Error("a Go wait took a unit that was never posted")
			}
		}
		if got := cw.count(t); got != 0 {
			t.Errorf("the C waiter returned from futex %d times while Go waits gave up; want 0", got)
		}
		if w := semWaiters(s); w != 1 {
			t.Errorf("nwaiters = %d, want the C waiter's 1", w)
		}
		// And a post still reaches it, exactly once.
		if err := s.Release(); err != nil {
			t.Fatal(err)
		}
		if l := semReadLine(t, cw.out); l != "acquired 1" {
			t.Errorf("C waiter: %q, want it woken once and acquired", l)
		}
	})
}
