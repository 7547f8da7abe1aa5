package fstest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
)

func TestMemFSQueueManySendersReceiversLoseNothing(t *testing.T) {
	m := ipcfstest.NewMemFS()
	q, err := m.OpenMq("q", os.O_RDWR|os.O_CREATE, 0o600, &ipcfs.MqAttr{MaxMessages: 4, MessageSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	const senders, perSender, receivers = 8, 200, 8
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], uint64(s*perSender+i))
				if err := q.Send(context.Background(), b[:], uint(i%3)); err != nil {
					t.Errorf("Send: %v", err)
					return
				}
			}
		}()
	}
	got := make(chan uint64, senders*perSender)
	var rg sync.WaitGroup
	for range receivers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			b := make([]byte, 8)
			for {
				_, _, err := q.Receive(context.Background(), b)
				if errors.Is(err, os.ErrDeadlineExceeded) {
					return
				}
				if err != nil {
					t.Errorf("Receive: %v", err)
					return
				}
				got <- binary.LittleEndian.Uint64(b)
			}
		}()
	}
	wg.Wait()
	// Every message is sent; once the queue is drained, stop the receivers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, _ := q.Attr()
		if a.CurMessages == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
	q.SetReadDeadline(time.Now())
	rg.Wait()
	close(got)
	seen := make(map[uint64]bool)
	for v := range got {
		if seen[v] {
			t.Errorf("message %d received twice", v)
		}
		seen[v] = true
	}
	if len(seen) != senders*perSender {
		t.Errorf("received %d distinct messages; want %d", len(seen), senders*perSender)
	}
}

func TestMemFSSetDeadlineWakesWaiter(t *testing.T) {
	m := ipcfstest.NewMemFS()
	q, _ := m.OpenMq("q", os.O_RDWR|os.O_CREATE, 0o600, &ipcfs.MqAttr{MaxMessages: 1, MessageSize: 8})
	defer q.Close()
	done := make(chan error)
	go func() {
		_, _, err := q.Receive(context.Background(), make([]byte, 8))
		done <- err
	}()
	q.SetReadDeadline(time.Now()) // may land before or after the wait starts
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Receive = %v; want os.ErrDeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("moving the deadline to now did not wake the waiting Receive")
	}
}

func TestMemFSSemaphoreCountingUnderContention(t *testing.T) {
	m := ipcfstest.NewMemFS()
	s, _ := m.OpenSem("s", os.O_CREATE, 0o600, 0)
	defer s.Close()
	const workers, rounds = 16, 100
	var wg sync.WaitGroup
	for range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := s.Acquire(context.Background()); err != nil {
					t.Errorf("Acquire: %v", err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range rounds {
				s.Release()
			}
		}()
	}
	wg.Wait()
	if v, _ := s.Value(); v != 0 {
		t.Errorf("after %d releases and acquires, value = %d; want 0", workers*rounds, v)
	}
}
