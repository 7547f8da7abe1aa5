// Mqselect waits on several message queues at once: Go's answer to
// posix_ipc's demo5, which hands queue descriptors to Python's selectors.
//
// In Go there is nothing to multiplex by hand: a queue waits on the runtime
// poller, so one goroutine per queue costs a few kilobytes and no thread.
// Each goroutine receives with a context and forwards what it gets to one
// channel; the listener selects on that channel and on the context, whose
// deadline bounds the whole wait. A read deadline on a queue bounds a single
// receive the same way (os.ErrDeadlineExceeded).
//
//	go run ./examples/mqselect [-queues 3] [-messages 9] [-send 9] [-timeout 5s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
)

func main() {
	queues := flag.Int("queues", 3, "how many queues to listen on")
	messages := flag.Int("messages", 9, "how many messages to wait for")
	send := flag.Int("send", -1, "how many messages the transmitter sends (-1: -messages); fewer shows the deadline at work")
	timeout := flag.Duration("timeout", 5*time.Second, "give up waiting after this long")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *send < 0 {
		*send = *messages
	}
	if err := run(ctx, os.Stdout, *queues, *messages, *send, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mqselect:", err)
		os.Exit(1)
	}
}

// attr keeps the queues small: they share a per-user memory limit.
var attr = ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128}

// message is what a listening goroutine forwards.
type message struct {
	queue string
	text  string
	prio  uint
}

// run creates nQueues queues, starts a transmitter that sends nSend
// messages, listens on every queue at once until it has nMessages or
// timeout passes (an error wrapping context.DeadlineExceeded), shows a read
// deadline at work and removes the queues.
func run(ctx context.Context, out io.Writer, nQueues, nMessages, nSend int, timeout time.Duration) (err error) {
	ns := ipcfs.New()
	var queues []ipcfs.Mq
	defer func() {
		for _, q := range queues {
			err = errors.Join(err, q.Close(), ns.Remove("mq/"+q.Name()[1:]))
		}
	}()
	for i := range nQueues {
		name := fmt.Sprintf("/mqselect-%d-%d", os.Getpid(), i)
		q, err := ns.OpenMq(name, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600, &attr)
		if err != nil {
			return err
		}
		queues = append(queues, q)
	}
	fmt.Fprintf(out, "listening on %d queues\n", nQueues)

	// The whole wait has a deadline; cancelling ctx also stops every listener.
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	got := make(chan message)
	var listeners sync.WaitGroup
	for _, q := range queues {
		listeners.Go(func() {
			buf := make([]byte, attr.MessageSize)
			for {
				n, prio, err := q.Receive(ctx, buf)
				if err != nil {
					return // ctx ended
				}
				select {
				case got <- message{q.Name(), string(buf[:n]), prio}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	defer listeners.Wait()
	defer cancel()

	transmitted := make(chan error, 1)
	go func() { transmitted <- transmit(ctx, queues, nSend) }()

	for received := 0; received < nMessages; received++ {
		select {
		case m := <-got:
			fmt.Fprintf(out, "%s: %q (priority %d)\n", m.queue, m.text, m.prio)
		case <-ctx.Done():
			return fmt.Errorf("received %d of %d messages: %w", received, nMessages, ctx.Err())
		}
	}
	if err := <-transmitted; err != nil {
		return err
	}
	cancel()
	listeners.Wait()
	fmt.Fprintf(out, "all %d messages received\n", nMessages)

	// A read deadline bounds one receive: the queue is empty now.
	q := queues[0]
	if err := q.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		return err
	}
	_, _, err = q.Receive(context.Background(), make([]byte, attr.MessageSize))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("receive on an empty queue past its deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	fmt.Fprintf(out, "%s: nothing more within 50ms (%v)\n", q.Name(), err)
	return nil
}

// transmit plays posix_ipc's transmitter.py: it opens each queue by name,
// as another process would, and sends messages to them in turn.
func transmit(ctx context.Context, queues []ipcfs.Mq, n int) error {
	var senders []ipcfs.Mq
	defer func() {
		for _, s := range senders {
			s.Close()
		}
	}()
	for _, q := range queues {
		s, err := ipcfs.OpenMq(q.Name(), os.O_WRONLY, 0, nil)
		if err != nil {
			return err
		}
		senders = append(senders, s)
	}
	for i := range n {
		msg := fmt.Sprintf("message %d", i)
		if err := senders[i%len(senders)].Send(ctx, []byte(msg), uint(i%3)); err != nil {
			return err
		}
	}
	return nil
}
