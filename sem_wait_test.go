//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of waiting on a semaphore: Acquire and Read with deadlines,
// contexts, Close and signals, and many waiters.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sem"
	"github.com/ipcfs/ipcfs/internal/sleepers"
	"golang.org/x/sys/unix"
)

// Signals hitting the waiting thread (Go's own preemption signal here)
// neither end the wait nor disturb the waiter count.
func TestSemSignalsDuringWaitKeepCount(t *testing.T) {
	s := semCreate(t, 0)
	tids := make(chan int)
	errc := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		errc <- s.Acquire(context.Background())
	}()
	tid := <-tids
	// The kernel's count of sleepers on the word, not /proc (which shows a
	// futex of the Go runtime as well, and the emulator's system calls
	// under emulation).
	semWaitFor(t, "the waiter to sleep on the semaphore", func() bool {
		n, err := s.h.Word.Sleepers()
		return semWaiters(s) == 1 && err == nil && n == 1
	})
	for range 50 {
		if err := unix.Tgkill(os.Getpid(), tid, unix.SIGURG); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-errc:
		t.Fatalf("Acquire returned %v before any release", err)
	default:
	}
	if w := semWaiters(s); w != 1 {
		t.Errorf("nwaiters after signals = %d, want 1", w)
	}
	s.Release()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
		t.Errorf("value %d nwaiters %d, want 0 0", v, w)
	}
}

func TestSemCountingAcrossGoroutines(t *testing.T) {
	s := semCreate(t, 0)
	const producers, consumers, each = 4, 4, 500
	var wg sync.WaitGroup
	errs := make(chan error, producers+consumers)
	for range consumers {
		wg.Go(func() {
			for range each {
				if err := s.Acquire(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range producers {
		wg.Go(func() {
			for range each {
				if err := s.Release(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if v := semValue(t, s); v != 0 {
		t.Errorf("value after %d releases and acquires = %d, want 0", producers*each, v)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
}

func TestSemReadWaitsForAUnit(t *testing.T) {
	s := semCreate(t, 0)
	got := make(chan int)
	go func() {
		n, err := s.Read(make([]byte, 10))
		if err != nil {
			t.Error(err)
		}
		got <- n
	}()
	semWaitFor(t, "the reader to wait", func() bool { return semWaiters(s) == 1 })
	s.Write([]byte{1})
	if n := <-got; n != 1 {
		t.Errorf("Read = %d, want 1", n)
	}
}

func TestSemDeadlines(t *testing.T) {
	tests := []struct {
		name string
		set  func(s *SemFile) error
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"read deadline", func(s *SemFile) error { return s.SetReadDeadline(time.Now().Add(20 * time.Millisecond)) },
			func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, os.ErrDeadlineExceeded},
		{"deadline", func(s *SemFile) error { return s.SetDeadline(time.Now().Add(20 * time.Millisecond)) },
			func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, os.ErrDeadlineExceeded},
		{"past deadline", func(s *SemFile) error { return s.SetDeadline(time.Now().Add(-time.Second)) },
			func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, os.ErrDeadlineExceeded},
		{"ctx timeout", func(*SemFile) error { return nil },
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 20*time.Millisecond)
			}, context.DeadlineExceeded},
		{"ctx already cancelled", func(*SemFile) error { return nil },
			func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := semCreate(t, 0)
			if err := tt.set(s); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			if err := s.Acquire(ctx); !errors.Is(err, tt.want) {
				t.Errorf("Acquire: %v, want %v", err, tt.want)
			}
			if tt.want == os.ErrDeadlineExceeded {
				if _, err := s.Read(make([]byte, 1)); !errors.Is(err, tt.want) {
					t.Errorf("Read: %v, want %v", err, tt.want)
				}
			}
			if w := semWaiters(s); w != 0 {
				t.Errorf("nwaiters after giving up = %d, want 0", w)
			}
			// A unit released now is still there: nothing was consumed.
			s.Release()
			if v := semValue(t, s); v != 1 {
				t.Errorf("value after release = %d, want 1", v)
			}
		})
	}
}

func TestSemDeadlineClearedAllowsWaiting(t *testing.T) {
	s := semCreate(t, 1)
	s.SetDeadline(time.Now().Add(-time.Second))
	s.SetDeadline(time.Time{})
	if err := s.Acquire(context.Background()); err != nil {
		t.Fatalf("Acquire after clearing the deadline: %v", err)
	}
}

func TestSemSetDeadlineWakesWaiter(t *testing.T) {
	s := semCreate(t, 0)
	errc := make(chan error)
	go func() { errc <- s.Acquire(context.Background()) }()
	semWaitFor(t, "the waiter", func() bool { return semWaiters(s) == 1 })
	s.SetReadDeadline(time.Now())
	if err := <-errc; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Acquire: %v, want os.ErrDeadlineExceeded", err)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
}

func TestSemCancelWhileWaitingTakesNothing(t *testing.T) {
	s := semCreate(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- s.Acquire(ctx) }()
	semWaitFor(t, "the waiter", func() bool { return semWaiters(s) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire: %v, want context.Canceled", err)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
	if v := semValue(t, s); v != 0 {
		t.Errorf("value = %d, want 0", v)
	}
}

func TestSemCloseWhileWaitingGivesErrClosed(t *testing.T) {
	s := semCreate(t, 0)
	other, err := OpenSem(s.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const n = 5
	errc := make(chan error)
	for range n {
		go func() { errc <- s.Acquire(context.Background()) }()
	}
	semWaitFor(t, "the waiters", func() bool { return semWaiters(other) == n })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range n {
		if err := <-errc; !errors.Is(err, fs.ErrClosed) {
			t.Errorf("Acquire: %v, want fs.ErrClosed", err)
		}
	}
	if w := semWaiters(other); w != 0 {
		t.Errorf("nwaiters after Close = %d, want 0", w)
	}
}

func TestSemTwoHundredWaitersAllWoken(t *testing.T) {
	s := semCreate(t, 0)
	const n = 200
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for range n {
		wg.Go(func() {
			if err := s.Acquire(context.Background()); err != nil {
				errc <- err
			}
		})
	}
	semWaitFor(t, "200 waiters", func() bool { return semWaiters(s) == n })
	if k, err := s.Write(make([]byte, n)); k != n || err != nil {
		t.Fatalf("Write(%d) = %d, %v", n, k, err)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
		t.Errorf("after waking all: value %d nwaiters %d, want 0 0", v, w)
	}
}

// Waiters that give up (cancel, timeout) while units are being posted must
// never strand a unit while others wait, nor lose one: at the end the
// value is what was released minus what was acquired.
func TestSemGivingUpWaitersLoseNoUnits(t *testing.T) {
	s := semCreate(t, 0)
	const waiters, releases = 40, 2000
	var mu sync.Mutex
	acquired := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range waiters {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%5)*100*time.Microsecond)
				err := s.Acquire(ctx)
				cancel()
				if err == nil {
					mu.Lock()
					acquired++
					mu.Unlock()
				} else if !errors.Is(err, context.DeadlineExceeded) {
					t.Error(err)
					return
				}
			}
		})
	}
	for range releases {
		if err := s.Release(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if v := semValue(t, s); v != releases-acquired {
		t.Errorf("value %d, want %d released - %d acquired", v, releases, acquired)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
}

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
// IPCFS_SEM_SEMS new semaphores (round robin), and IPCFS_MQ_N in Receive on
// IPCFS_MQ_QUEUES new queues if set, reports the OS threads while they all
// wait, releases one unit (or sends one message) per goroutine, and reports
// whether all woke and whether the engine then ends idle, on one line:
// "threads T woken W idle true|false goroutines-before B after A peak P
// sleepers S procs G" (G its GOMAXPROCS).
func semChildBlocked() int {
	n, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_N"))
	nsems, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_SEMS"))
	nmq, _ := strconv.Atoi(os.Getenv("IPCFS_MQ_N"))
	nqueues, _ := strconv.Atoi(os.Getenv("IPCFS_MQ_QUEUES"))
	qs := make([]*MqFile, nqueues)
	for i := range qs {
		name := fmt.Sprintf("/ipcfs-blocked-%d-q%d", os.Getpid(), i)
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 1, MessageSize: 8})
		if err != nil {
			return semChildExit(err)
		}
		RemoveMq(name)
		defer q.Close()
		qs[i] = q
	}
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
	peak := semSamplePeaks()
	goroutinesBefore := runtime.NumGoroutine()
	var wg sync.WaitGroup
	var mu sync.Mutex
	woken := 0
	for i := range nmq {
		wg.Go(func() {
			if _, _, err := qs[i%nqueues].Receive(context.Background(), make([]byte, 8)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return
			}
			mu.Lock()
			woken++
			mu.Unlock()
		})
	}
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
	if nmq > 0 {
		// Queue receivers park on the runtime's poller, out of sight: look
		// at the threads a little longer (a measurement, not synchronisation).
		for range 100 {
			time.Sleep(time.Millisecond)
			threads = max(threads, semOSThreads())
		}
	}
	for i := range n {
		if err := ss[i%nsems].Release(); err != nil {
			return semChildExit(err)
		}
	}
	for i := range nmq {
		if err := qs[i%nqueues].Send(context.Background(), []byte("unblock!"), 0); err != nil {
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
	peakThreads, peakSleepers := peak()
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf(semBlockedLine+"\n",
		threads, woken, idle, goroutinesBefore, runtime.NumGoroutine(), peakThreads, peakSleepers, runtime.GOMAXPROCS(0))
	return 0
}

// semSamplePeaks samples the OS threads and the kernel sleepers of the
// budget (internal/sleepers) every 100 µs until the returned function is
// called, which returns the largest of each seen.
func semSamplePeaks() func() (threads, sleeping int) {
	stop := make(chan struct{})
	done := make(chan struct{})
	var threads, sleeping int
	go func() {
		defer close(done)
		for {
			threads, sleeping = max(threads, semOSThreads()), max(sleeping, sleepers.InUse())
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	return func() (int, int) {
		close(stop)
		<-done
		return threads, sleeping
	}
}

// semBlockedLine is the line semChildBlocked prints, for fmt.Printf and
// fmt.Sscanf.
const semBlockedLine = "threads %d woken %d idle %t goroutines-before %d after %d peak %d sleepers %d procs %d"

// semBlocked is what semChildBlocked reported.
type semBlocked struct {
	threads, woken, before, after, peak, sleeping, procs int
	idle                                                 bool
}

// parseSemBlocked reads semChildBlocked's line from its output.
func parseSemBlocked(t *testing.T, out []byte) semBlocked {
	t.Helper()
	var r semBlocked
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), semBlockedLine,
		&r.threads, &r.woken, &r.idle, &r.before, &r.after, &r.peak, &r.sleeping, &r.procs); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	return r
}

func TestSemTenThousandWaitersFewThreads(t *testing.T) {
	n, nsems := 10_000, 100
	if mqRaceEnabled {
		n, nsems = 5_000, 50 // the race detector allows 8,128 goroutines
	}
	semEngineModes(t, func(t *testing.T, env []string) {
		out, err := childCommand(t, "sem-blocked", append(env, "IPCFS_SEM_N="+strconv.Itoa(n),
			"IPCFS_SEM_SEMS="+strconv.Itoa(nsems))...).Output()
		if err != nil {
			t.Fatalf("child: %v (output %q)", err, out)
		}
		r := parseSemBlocked(t, out)
		t.Logf("%d goroutines blocked on %d semaphores: %d OS threads (GOMAXPROCS %d)", n, nsems, r.threads, r.procs)
		limit := semThreadLimit(r.procs)
		if strings.HasSuffix(t.Name(), "fallback") {
			limit += nsems // one sleeper per semaphore, not per goroutine
		}
		if r.threads > limit {
			t.Errorf("%d OS threads while %d goroutines waited; want at most %d", r.threads, n, limit)
		}
		if r.woken != n {
			t.Errorf("%d of %d goroutines woken by %d units", r.woken, n, n)
		}
		if !r.idle {
			t.Errorf("with no waiter left, the engine was not idle (goroutines %d before, %d after)", r.before, r.after)
		}
	})
}

// semThreadLimit is the most OS threads a process whose runtime runs procs
// Ps (GOMAXPROCS) may use while thousands of goroutines wait on semaphores
// and queues: the 16 on the 2-P machine it was set for. The Go
// runtime itself keeps about one thread per P besides sysmon, its template
// thread and idle spares, and wakes more of them as Ps get work (measured
// here with 5,000 waiters and a 50-semaphore watcher: 8 threads at
// GOMAXPROCS 1, 10 at 2, 12 at 4, 16 at 8, 24 at 16), so a fixed bound
// failed on machines with more CPUs; waiters themselves add no thread
// beyond the sleeper budget, whatever their number.
func semThreadLimit(procs int) int { return 14 + max(procs, 1) }

// Goroutines waiting on semaphores and on queues at once share the thread
// bound: 5,000 of each on 16 OS threads at most (at GOMAXPROCS 2; see
// semThreadLimit).
func TestSemAndQueueWaitersShareFewThreads(t *testing.T) {
	if !futex.WaitvSupported() {
		t.Skip("futex_waitv is not available here: the fallback has one thread per semaphore")
	}
	n := 5_000
	if mqRaceEnabled {
		n = 2_500 // the race detector allows 8,128 goroutines
	}
	out, err := childCommand(t, "sem-blocked", "IPCFS_SEM_FALLBACK=0", "IPCFS_SEM_N="+strconv.Itoa(n), "IPCFS_SEM_SEMS=50",
		"IPCFS_MQ_N="+strconv.Itoa(n), "IPCFS_MQ_QUEUES=50").Output()
	if err != nil {
		t.Fatalf("child: %v (output %q)", err, out)
	}
	r := parseSemBlocked(t, out)
	t.Logf("%d goroutines blocked on 50 semaphores and %d on 50 queues: %d OS threads (%d at most from start to end, %d kernel sleepers at most; GOMAXPROCS %d)",
		n, n, r.threads, r.peak, r.sleeping, r.procs)
	if limit := semThreadLimit(r.procs); r.threads > limit || r.peak > limit {
		t.Errorf("%d OS threads while %d goroutines waited, %d at most from start to end; want at most %d (GOMAXPROCS %d)", r.threads, 2*n, r.peak, limit, r.procs)
	}
	// Queue waits sleep in the kernel only with a slot of the budget; the
	// one watcher of the 50 semaphores takes its slot regardless.
	if r.sleeping > sleepers.Budget+1 {
		t.Errorf("%d kernel sleepers at once, want at most the budget (%d) and the semaphores' watcher", r.sleeping, sleepers.Budget)
	}
	if r.woken != 2*n {
		t.Errorf("%d of %d goroutines woken", r.woken, 2*n)
	}
	if !r.idle {
		t.Errorf("with no waiter left, the engine was not idle (goroutines %d before, %d after)", r.before, r.after)
	}
}
