// Semlock shows a named semaphore used as a lock by a parent and its
// children, like posix_ipc's demo4 (parent.py, child.py).
//
// The parent creates a semaphore with a random name and value 1, a lock
// (CreateTemp with WithSemValue: posix_ipc's Semaphore(None, O_CREX,
// initial_value=1)), and a segment for the counter. It takes the lock, starts its
// children (this same program, re-executed), and lets them go by releasing
// it. Each child then adds 1 to a counter kept in shared memory, many times,
// each time with a read, a pause and a write that would lose updates if two
// processes did it at once — but they hold the lock, so none is lost. The
// parent checks the total and removes both objects.
//
//	go run ./examples/semlock [-children 4] [-rounds 500]
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
)

// A child is this program started with these variables set.
const (
	childSemEnv    = "SEMLOCK_SEM"
	childShmEnv    = "SEMLOCK_SHM"
	childRoundsEnv = "SEMLOCK_ROUNDS"
)

// init runs the child's part, before main, when the parent started us; the
// tests rely on it too, since there the program is the test binary.
func init() {
	if sem := os.Getenv(childSemEnv); sem != "" {
		rounds, _ := strconv.Atoi(os.Getenv(childRoundsEnv))
		if err := child(sem, os.Getenv(childShmEnv), rounds); err != nil {
			fmt.Fprintf(os.Stderr, "child %d: %v\n", os.Getpid(), err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

func main() {
	children := flag.Int("children", 4, "how many children share the lock")
	rounds := flag.Int("rounds", 500, "how many times each child takes the lock")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := parent(ctx, os.Stdout, *children, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "semlock:", err)
		os.Exit(1)
	}
}

// parent runs the whole example and returns an error if an update was lost.
func parent(ctx context.Context, w io.Writer, children, rounds int) (err error) {
	out := &lockedWriter{w: w} // the children write to it too
	ns := ipcfs.New()
	f, err := ns.CreateTemp("sem", "semlock-*", ipcfs.WithSemValue(1)) // a free lock
	if err != nil {
		return err
	}
	lock := f.(ipcfs.Sem)
	// Name is the path CreateTemp made ("sem/semlock-..."): Remove takes it.
	defer func() { err = errors.Join(err, lock.Close(), ns.Remove(lock.Name())) }()
	g, err := ns.CreateTemp("shm", "semlock-counter-*", ipcfs.WithShmSize(8))
	if err != nil {
		return err
	}
	counter := g.(ipcfs.Shm)
	defer func() { err = errors.Join(err, counter.Close(), ns.Remove(counter.Name())) }()
	fmt.Fprintf(out, "parent: created semaphore %s (value 1) and counter %s\n", lock.Name(), counter.Name())

	if err := lock.Acquire(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "parent: holding the lock; starting %d children\n", children)
	exe, err := os.Executable()
	if err != nil {
		lock.Release()
		return err
	}
	var cmds []*exec.Cmd
	for range children {
		cmd := exec.CommandContext(ctx, exe)
		cmd.Env = append(os.Environ(), childSemEnv+"="+lock.Name(), childShmEnv+"="+counter.Name(),
			childRoundsEnv+"="+strconv.Itoa(rounds))
		cmd.Stdout, cmd.Stderr = out, os.Stderr
		if err := cmd.Start(); err != nil {
			lock.Release()
			return err
		}
		cmds = append(cmds, cmd)
	}
	fmt.Fprintln(out, "parent: releasing the lock; the children take turns")
	if err := lock.Release(); err != nil {
		return err
	}
	var errs []error
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("child %d: %w", cmd.Process.Pid, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Every child is gone, but take the lock anyway: that is the rule.
	if err := lock.Acquire(ctx); err != nil {
		return err
	}
	defer lock.Release()
	total, err := readCounter(counter)
	if err != nil {
		return err
	}
	want := uint64(children * rounds)
	fmt.Fprintf(out, "parent: counter = %d, want %d children x %d rounds = %d\n", total, children, rounds, want)
	if total != want {
		return fmt.Errorf("lost %d updates: the lock did not exclude", want-total)
	}
	fmt.Fprintln(out, "parent: no update lost; removing the semaphore and the counter")
	return nil
}

// child takes the lock (at the namespace path semPath) rounds times and adds
// 1 to the counter (at shmPath) each time.
func child(semPath, shmPath string, rounds int) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := ipcfs.New()
	f, err := ns.OpenFile(semPath, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	lock := f.(ipcfs.Sem)
	defer func() { err = errors.Join(err, lock.Close()) }()
	g, err := ns.OpenFile(shmPath, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	counter := g.(ipcfs.Shm)
	defer func() { err = errors.Join(err, counter.Close()) }()
	for range rounds {
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		n, err := readCounter(counter)
		if err == nil {
			runtime.Gosched() // widen the window a lost update would need
			err = writeCounter(counter, n+1)
		}
		if rerr := lock.Release(); err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
	}
	fmt.Printf("child %d: took the lock %d times\n", os.Getpid(), rounds)
	return nil
}

func readCounter(m ipcfs.Shm) (uint64, error) {
	var b [8]byte
	if _, err := m.ReadAt(b[:], 0); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func writeCounter(m ipcfs.Shm, n uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	_, err := m.WriteAt(b[:], 0)
	return err
}

// lockedWriter lets the children's output goroutines share one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
