//go:build linux

package ipcfs

// Message payloads of every length and byte value, NUL included, come out
// exactly as they went in; too long or too high a priority is an error
// that sends nothing. Bounded fuzzing:
// go test -run='^$' -fuzz='^FuzzMqPayload$' -fuzztime=20s .

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
)

// relPrioMax is the highest message priority on Linux (MQ_PRIO_MAX-1,
// the library's QueuePriorityMax).
const relPrioMax = 32767

// relPayload returns n bytes that run through every byte value, shifted by
// n so that equal lengths are not the only thing compared.
func relPayload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i + n)
	}
	return p
}

func relNewFuzzQueue(tb testing.TB, size int64) *MqFile {
	tb.Helper()
	name := uniqueName(tb)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NONBLOCK, 0o600, &MqAttr{MaxMessages: 2, MessageSize: size})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { q.Close(); RemoveMq(name) })
	return q
}

func TestReliabilityMqPayloadEveryLengthAndByte(t *testing.T) {
	const size = 512
	q := relNewFuzzQueue(t, size)
	buf := make([]byte, size)
	for n := 0; n <= size; n++ {
		msg := relPayload(n)
		prio := uint(n * 61 % (relPrioMax + 1))
		if n%2 == 0 {
			if err := q.Send(context.Background(), msg, prio); err != nil {
				t.Fatalf("Send of %d bytes: %v", n, err)
			}
			got, gotPrio, err := q.Receive(context.Background(), buf)
			if err != nil || got != n || gotPrio != prio || !bytes.Equal(buf[:got], msg) {
				t.Fatalf("Receive of a %d-byte message at priority %d: %d bytes at %d, %v; content equal %v",
					n, prio, got, gotPrio, err, bytes.Equal(buf[:got], msg))
			}
			continue
		}
		// Odd lengths go through Write and Read, first with a buffer one
		// byte short (io.ErrShortBuffer, the message stays queued).
		if w, err := q.Write(msg); err != nil || w != n {
			t.Fatalf("Write of %d bytes: %d, %v", n, w, err)
		}
		if n > 0 {
			// An empty buffer may also give 0, nil (io.Reader allows it);
			// either way the message stays.
			got, err := q.Read(buf[:n-1])
			if !errors.Is(err, io.ErrShortBuffer) && !(n == 1 && got == 0 && err == nil) {
				t.Fatalf("Read of a %d-byte message into %d bytes: %d, %v; want io.ErrShortBuffer", n, n-1, got, err)
			}
			if a, err := q.Attr(); err != nil || a.CurMessages != 1 {
				t.Fatalf("after a short Read of a %d-byte message: %+v, %v; want it still queued", n, a, err)
			}
		}
		got, err := q.Read(buf[:n])
		if err != nil || got != n || !bytes.Equal(buf[:got], msg) {
			t.Fatalf("Read of a %d-byte message: %d, %v; content equal %v", n, got, err, bytes.Equal(buf[:got], msg))
		}
	}
	// A message one byte too long is refused and nothing is queued.
	if err := q.Send(context.Background(), relPayload(size+1), 0); !errors.Is(err, syscall.EMSGSIZE) {
		t.Fatalf("Send of %d bytes to a %d-byte queue: %v; want EMSGSIZE", size+1, size, err)
	}
	if a, err := q.Attr(); err != nil || a.CurMessages != 0 {
		t.Fatalf("queue after the refused send: %+v, %v; want empty", a, err)
	}
}

// FuzzMqPayload sends any bytes at any priority through a queue and
// receives them back.
func FuzzMqPayload(f *testing.F) {
	const size = 256
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0}, uint16(relPrioMax))
	f.Add([]byte("hello\x00world"), uint16(7))
	f.Add(relPayload(size), uint16(1))
	f.Add(relPayload(size+1), uint16(2))
	f.Add(bytes.Repeat([]byte{0xff}, 100), uint16(relPrioMax+1))
	f.Add([]byte{1}, uint16(65535))
	q := relNewFuzzQueue(f, size)
	buf := make([]byte, size)
	f.Fuzz(func(t *testing.T, msg []byte, prio16 uint16) {
		prio := uint(prio16)
		err := q.Send(context.Background(), msg, prio)
		switch {
		case prio > relPrioMax:
			if !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("Send at priority %d: %v; want EINVAL", prio, err)
			}
		case len(msg) > size:
			if !errors.Is(err, syscall.EMSGSIZE) {
				t.Fatalf("Send of %d bytes: %v; want EMSGSIZE", len(msg), err)
			}
		default:
			if err != nil {
				t.Fatalf("Send of %d bytes at priority %d: %v", len(msg), prio, err)
			}
			n, gotPrio, err := q.Receive(context.Background(), buf)
			if err != nil || gotPrio != prio || !bytes.Equal(buf[:n], msg) {
				t.Fatalf("round trip of %q at %d: got %q at %d, %v", msg, prio, buf[:n], gotPrio, err)
			}
		}
		if a, err := q.Attr(); err != nil || a.CurMessages != 0 {
			t.Fatalf("queue not empty after the round trip: %+v, %v", a, err)
		}
	})
}
