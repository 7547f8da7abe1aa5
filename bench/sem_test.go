package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

func init() {
	childRoles["sem-pong"] = semPong
}

// semCreate creates a semaphore with value 0 named objName(suffix).
func semCreate(suffix string) (*ipcfs.SemFile, string, error) {
	name := objName(suffix)
	s, err := ipcfs.OpenSem(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 0)
	return s, name, err
}

// semPingPong bounces a token n times (after warmup rounds) between this
// process and a child through two semaphores and returns the time the n
// round trips took. Same work as c/sem_pingpong.c.
func semPingPong(n int, c clock) (time.Duration, error) {
	a, na, err := semCreate("-spa")
	if err != nil {
		return 0, err
	}
	defer a.Close()
	defer ipcfs.RemoveSem(na)
	b, nb, err := semCreate("-spb")
	if err != nil {
		return 0, err
	}
	defer b.Close()
	defer ipcfs.RemoveSem(nb)
	ch, err := startChild("sem-pong", warmup+n, func() { b.Release() }, na, nb)
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	var start time.Time
	for i := range warmup + n {
		if i == warmup {
			// The child has both open: the names are no longer needed.
			ipcfs.RemoveSem(na)
			ipcfs.RemoveSem(nb)
			c.start()
			start = time.Now()
		}
		if err := a.Release(); err != nil {
			ch.kill()
			return 0, err
		}
		if err := b.Acquire(ctx); err != nil {
			ch.kill()
			return 0, err
		}
		if err := ch.check(); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	c.stop()
	return d, ch.wait()
}

// semPong is the child of semPingPong: n times, acquire the first semaphore
// and release the second.
func semPong(env childEnv) error {
	if len(env.names) != 2 {
		return fmt.Errorf("want 2 names, got %q", env.names)
	}
	a, err := ipcfs.OpenSem(env.names[0], os.O_RDWR, 0, 0)
	if err != nil {
		return err
	}
	b, err := ipcfs.OpenSem(env.names[1], os.O_RDWR, 0, 0)
	if err != nil {
		return err
	}
	ctx := context.Background()
	for range env.n {
		if err := a.Acquire(ctx); err != nil {
			return err
		}
		if err := b.Release(); err != nil {
			return err
		}
	}
	return nil
}

// semFast does n Release+Acquire pairs on one semaphore (after warmup pairs)
// and returns the time they took. Same work as c/sem_fast.c.
func semFast(n int, c clock) (time.Duration, error) {
	s, name, err := semCreate("-sf")
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ipcfs.RemoveSem(name)
	ctx := context.Background()
	var start time.Time
	for i := range warmup + n {
		if i == warmup {
			c.start()
			start = time.Now()
		}
		if err := s.Release(); err != nil {
			return 0, err
		}
		if err := s.Acquire(ctx); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	c.stop()
	return d, nil
}

// BenchmarkSemPingPong: ns/op is one round trip between two processes.
// ctxsw/op counts this process's context switches per round trip (glibc's
// is 1: one sleep).
func BenchmarkSemPingPong(b *testing.B) {
	b.ReportAllocs()
	var cs int64
	c := clock{
		start: func() { b.ResetTimer(); cs = contextSwitches() },
		stop:  func() { b.StopTimer(); reportContextSwitches(b, cs) },
	}
	if _, err := semPingPong(b.N, c); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSemFastPath: ns/op is one uncontended Release+Acquire pair;
// allocs/op must be 0.
func BenchmarkSemFastPath(b *testing.B) {
	b.ReportAllocs()
	if _, err := semFast(b.N, benchClock(b)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSemTryAcquire: ns/op is one Release+TryAcquire pair.
func BenchmarkSemTryAcquire(b *testing.B) {
	b.ReportAllocs()
	s, name, err := semCreate("-sa")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ipcfs.RemoveSem(name)
	b.ResetTimer()
	for range b.N {
		if err := s.Release(); err != nil {
			b.Fatal(err)
		}
		if err := s.TryAcquire(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSemPingPongGoC: ns/op is one round trip between this process
// (Go: post A, wait B) and c/sem_pong.c (glibc: wait A, post B); ctxsw/op
// counts this process's context switches per round trip.
func BenchmarkSemPingPongGoC(b *testing.B) {
	b.ReportAllocs()
	peer := buildCProgram(b, "sem_pong")
	sa, na, err := semCreate("-spa")
	if err != nil {
		b.Fatal(err)
	}
	defer sa.Close()
	defer ipcfs.RemoveSem(na)
	sb, nb, err := semCreate("-spb")
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	defer ipcfs.RemoveSem(nb)
	cmd := testenv.Command(peer, prefix(), strconv.Itoa(warmup+b.N))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	lines := bufio.NewReader(out)
	if l, err := lines.ReadString('\n'); err != nil || l != "ready\n" {
		cmd.Process.Kill()
		b.Fatalf("sem_pong: %q, %v", l, err)
	}
	ctx := context.Background()
	var cs int64
	for i := range warmup + b.N {
		if i == warmup {
			b.ResetTimer()
			cs = contextSwitches()
		}
		if err := sa.Release(); err != nil {
			cmd.Process.Kill()
			b.Fatal(err)
		}
		if err := sb.Acquire(ctx); err != nil {
			cmd.Process.Kill()
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportContextSwitches(b, cs)
	io.Copy(io.Discard, lines)
}

// BenchmarkSemPingPongGoroutines: ns/op is one round trip between two
// goroutines of this process through two semaphores (no second process).
func BenchmarkSemPingPongGoroutines(b *testing.B) {
	b.ReportAllocs()
	ping, na, err := semCreate("-spa")
	if err != nil {
		b.Fatal(err)
	}
	defer ping.Close()
	ipcfs.RemoveSem(na)
	pong, nb, err := semCreate("-spb")
	if err != nil {
		b.Fatal(err)
	}
	defer pong.Close()
	ipcfs.RemoveSem(nb)
	ctx := context.Background()
	done := make(chan error)
	go func() {
		for range b.N {
			if err := ping.Acquire(ctx); err != nil {
				done <- err
				return
			}
			pong.Release()
		}
		done <- nil
	}()
	b.ResetTimer()
	for range b.N {
		ping.Release()
		if err := pong.Acquire(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
