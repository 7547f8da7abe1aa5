package ipcfs

// The waiting engine against other processes: Go processes with many
// goroutines, C threads in glibc's sem_wait, and a C waiter that counts
// every return from its futex sleep.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sem"
	"golang.org/x/sys/unix"
)

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
			start(fmt.Sprintf("C waiters %d", i), exec.Command(c, append([]string{"waiters", strconv.Itoa(quota), strconv.Itoa(cThreads)}, names...)...))
		}
		// Half the units from C, half from here.
		start("C poster", exec.Command(c, append([]string{"post", strconv.Itoa(perSem / 2)}, names...)...))
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

func semStartCountWaiter(t *testing.T, c, name string) *semCountWaiter {
	t.Helper()
	cmd := exec.Command(c, "countwait", name)
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
	// Wait until one of its threads sleeps in futex.
	semWaitFor(t, "the C waiter to sleep in futex", func() bool {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", w.pid))
		for _, task := range tasks {
			if b, err := os.ReadFile(task); err == nil && strings.HasPrefix(string(b), fmt.Sprint(unix.SYS_FUTEX)+" ") {
				return true
			}
		}
		return false
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
		cw := semStartCountWaiter(t, c, s.Name())
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
			go func() {
				tctx, tcancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
				defer tcancel()
				errs <- s.Acquire(tctx)
			}()
			go func() { errs <- other.Acquire(context.Background()) }()
		}
		semWaitFor(t, "the Go waiters", func() bool { return semWaiting(s) == 3*n && semWaiters(s) == 3*n+1 })
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
