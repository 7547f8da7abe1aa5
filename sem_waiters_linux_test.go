package ipcfs

// Thousands of goroutines blocked on semaphores hold a handful of OS
// threads, all of them are woken by as many units, and once none waits no
// thread or goroutine of the engine is left.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/sleepers"
)

func init() {
	childRoles["sem-blocked"] = semChildBlocked
}

// semOSThreads returns the number of OS threads of this process.
func semOSThreads() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	_, rest, _ := bytes.Cut(b, []byte("\nThreads:"))
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	n, err := strconv.Atoi(string(bytes.TrimSpace(line)))
	if err != nil {
		return -1
	}
	return n
}

// semChildBlocked blocks IPCFS_SEM_N goroutines in Acquire on
// IPCFS_SEM_SEMS new semaphores (round robin), reports the OS threads while
// they all wait, releases one unit per goroutine, and reports whether all
// woke and whether the engine then ends idle, on one line:
// "threads T woken W idle true|false goroutines-before B after A".
func semChildBlocked() int {
	n, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_N"))
	nsems, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_SEMS"))
	ss := make([]*SemFile, nsems)
	for i := range ss {
		name := fmt.Sprintf("/ipcfs-blocked-%d-%d", os.Getpid(), i)
		s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 0)
		if err != nil {
			return semChildExit(err)
		}
		RemoveSem(name)
		defer s.Close()
		ss[i] = s
	}
	goroutinesBefore := runtime.NumGoroutine()
	var wg sync.WaitGroup
	var mu sync.Mutex
	woken := 0
	for i := range n {
		wg.Go(func() {
			if err := ss[i%nsems].Acquire(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return
			}
			mu.Lock()
			woken++
			mu.Unlock()
		})
	}
	waiting := func() int {
		total := 0
		for _, s := range ss {
			total += semWaiting(s)
		}
		return total
	}
	for deadline := time.Now().Add(time.Minute); waiting() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return semChildExit(fmt.Errorf("only %d of %d goroutines waiting after a minute", waiting(), n))
		}
	}
	threads := semOSThreads()
	for i := range n {
		if err := ss[i%nsems].Release(); err != nil {
			return semChildExit(err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
	}
	idle := false
	for deadline := time.Now().Add(10 * time.Second); !idle && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		w, f := sem.Sleepers()
		idle = w == 0 && f == 0 && sleepers.InUse() == 0 && runtime.NumGoroutine() <= goroutinesBefore
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf("threads %d woken %d idle %v goroutines-before %d after %d\n", threads, woken, idle, goroutinesBefore, runtime.NumGoroutine())
	return 0
}

func TestSemTenThousandWaitersFewThreads(t *testing.T) {
	n, nsems := 10_000, 100
	if raceEnabled {
		n, nsems = 5_000, 50 // the race detector allows 8,128 goroutines
	}
	semEngineModes(t, func(t *testing.T, env []string) {
		out, err := childCommand(t, "sem-blocked", append(env, "IPCFS_SEM_N="+strconv.Itoa(n),
			"IPCFS_SEM_SEMS="+strconv.Itoa(nsems))...).Output()
		if err != nil {
			t.Fatalf("child: %v (output %q)", err, out)
		}
		var threads, woken, before, after int
		var idle bool
		if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "threads %d woken %d idle %t goroutines-before %d after %d",
			&threads, &woken, &idle, &before, &after); err != nil {
			t.Fatalf("child said %q: %v", out, err)
		}
		t.Logf("%d goroutines blocked on %d semaphores: %d OS threads", n, nsems, threads)
		limit := 16
		if strings.HasSuffix(t.Name(), "fallback") {
			limit = nsems + 16 // one sleeper per semaphore, not per goroutine
		}
		if threads > limit {
			t.Errorf("%d OS threads while %d goroutines waited; want at most %d", threads, n, limit)
		}
		if woken != n {
			t.Errorf("%d of %d goroutines woken by %d units", woken, n, n)
		}
		if !idle {
			t.Errorf("with no waiter left, the engine was not idle (goroutines %d before, %d after)", before, after)
		}
	})
}
