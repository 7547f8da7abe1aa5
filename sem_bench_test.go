package ipcfs

import (
	"context"
	"strconv"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// BenchmarkSemPingPong measures round trips (post one semaphore, wait for
// the other) between two processes: Go against a C peer, and two C peers
// as the baseline.
func BenchmarkSemPingPong(b *testing.B) {
	c := semC(b)
	b.Run("Go-C", func(b *testing.B) {
		ping, pong := semCreate(b, 0), semCreate(b, 0)
		cmd, out := semStartC(b, c, "pong", ping.Name(), pong.Name(), strconv.Itoa(b.N))
		semReadLine(b, out)
		ctx := context.Background()
		b.ResetTimer()
		for range b.N {
			ping.Release()
			if err := pong.Acquire(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		cmd.Wait()
	})
	b.Run("C-C", func(b *testing.B) {
		ping, pong := semCreate(b, 0), semCreate(b, 0)
		cmd, out := semStartC(b, c, "pong", ping.Name(), pong.Name(), strconv.Itoa(b.N))
		semReadLine(b, out)
		b.ResetTimer()
		if out, err := testenv.Command(c, "ping", ping.Name(), pong.Name(), strconv.Itoa(b.N)).Output(); err != nil {
			b.Fatalf("%v %s", err, out)
		}
		b.StopTimer()
		cmd.Wait()
	})
	b.Run("Go-Go-goroutines", func(b *testing.B) {
		ping, pong := semCreate(b, 0), semCreate(b, 0)
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
	})
}
