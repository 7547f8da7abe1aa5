package ipcfs

import (
	"context"
	"testing"
)

// BenchmarkMqWriteRead sends and receives one 64-byte message per
// iteration on one goroutine (no waiting).
func BenchmarkMqWriteRead(b *testing.B) {
	q := mqCreate(b, 0, mqSmall)
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := q.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMqPingPong bounces a message between two goroutines over two
// queues, each receive waiting on the runtime poller.
func BenchmarkMqPingPong(b *testing.B) {
	ping := mqCreate(b, 0, mqSmall)
	pong := mqCreate(b, 0, mqSmall)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64)
		for {
			n, _, err := ping.Receive(context.Background(), buf)
			if err != nil {
				return
			}
			if err := pong.Send(context.Background(), buf[:n], 0); err != nil {
				return
			}
		}
	}()
	msg := make([]byte, 16)
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ping.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := pong.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
	ping.Close()
	<-done
}
