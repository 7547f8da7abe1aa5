//go:build !plan9

// Notify shows message queue notifications, one-shot and repeating, by
// callback and by signal, like posix_ipc's demo3.
//
// A queue notifies one registered process when a message arrives in it
// while it is empty (mq_notify), once: the registration is then gone, and a
// handler that wants the next one registers again — before draining the
// queue, or a message arriving in between would go unnoticed. By callback
// (posix_ipc's request_notification((fn, param))) the function runs in a new
// goroutine; by signal (request_notification(signum)) the signal arrives on
// an os/signal channel.
//
// Two kernel rules to keep in mind: closing any descriptor of the queue in
// this process removes the registration, and no notification fires while a
// receiver is blocked in the kernel waiting for a message.
//
//	go run ./examples/notify [-n 3]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
)

func main() {
	n := flag.Int("n", 3, "messages in each repeating demonstration")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
		os.Exit(1)
	}
}

// run shows the four kinds of notification in turn, each on a new queue.
func run(ctx context.Context, out io.Writer, n int) error {
	demos := []struct {
		name string
		fn   func(ctx context.Context, out io.Writer, q, sender *ipcfs.MqFile, n int) error
	}{
		{"one-shot, by callback", oneShotCallback},
		{"repeating, by callback", repeatingCallback},
		{"one-shot, by signal", oneShotSignal},
		{"repeating, by signal", repeatingSignal},
	}
	for i, d := range demos {
		fmt.Fprintf(out, "%s:\n", d.name)
		if err := withQueue(fmt.Sprintf("/notify-%d-%d", os.Getpid(), i), func(q, sender *ipcfs.MqFile) error {
			return d.fn(ctx, out, q, sender, n)
		}); err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
	}
	return nil
}

// withQueue creates a small queue, opens it twice — a non-blocking handle to
// register and receive on, and one to send with, as another program would —
// runs fn, and removes the queue.
func withQueue(name string, fn func(q, sender *ipcfs.MqFile) error) (err error) {
	attr := &ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128}
	q, err := ipcfs.OpenMq(name, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600, attr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ipcfs.RemoveMq(name)) }()
	defer func() { err = errors.Join(err, q.Close()) }()
	// Non-blocking (posix_ipc's block = False): drain stops when it is empty.
	if err := q.SetNonblocking(true); err != nil {
		return err
	}
	sender, err := ipcfs.OpenMq(name, os.O_WRONLY, 0, nil)
	if err != nil {
		return err
	}
	// Closing the sender also cancels q's registration (same process, same
	// queue), so it stays open until the end.
	defer func() { err = errors.Join(err, sender.Close()) }()
	return fn(q, sender)
}

// drain receives every queued message without waiting and prints it.
func drain(out io.Writer, q *ipcfs.MqFile) (int, error) {
	buf := make([]byte, 128)
	for count := 0; ; count++ {
		n, prio, err := q.Receive(context.Background(), buf)
		if errors.Is(err, ipcfs.ErrWouldBlock) {
			return count, nil
		}
		if err != nil {
			return count, err
		}
		fmt.Fprintf(out, "  Ding! Message with priority %d received: %s\n", prio, buf[:n])
	}
}

func send(ctx context.Context, sender *ipcfs.MqFile, i int) error {
	return sender.Send(ctx, []byte(fmt.Sprintf("message %d", i)), uint(i%3))
}

// wait waits for ch or the end of ctx.
func wait[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("no notification: %w", ctx.Err())
	}
}

// oneShotCallback: Notify once, send once; the callback receives.
func oneShotCallback(ctx context.Context, out io.Writer, q, sender *ipcfs.MqFile, _ int) error {
	done := make(chan error, 1)
	if err := q.Notify(func() {
		_, err := drain(out, q)
		done <- err
	}); err != nil {
		return err
	}
	if err := send(ctx, sender, 0); err != nil {
		return err
	}
	err, werr := wait(ctx, done)
	return errors.Join(err, werr)
}

// repeatingCallback: the callback registers again, then drains; n messages,
// each sent once the previous one has been taken, give n notifications.
func repeatingCallback(ctx context.Context, out io.Writer, q, sender *ipcfs.MqFile, n int) error {
	taken := make(chan error, n)
	var handler func()
	handler = func() {
		// Register first: a message arriving while draining notifies again.
		err := q.Notify(handler)
		if _, derr := drain(out, q); err == nil {
			err = derr
		}
		taken <- err
	}
	if err := q.Notify(handler); err != nil {
		return err
	}
	defer q.CancelNotify()
	for i := range n {
		if err := send(ctx, sender, i); err != nil {
			return err
		}
		err, werr := wait(ctx, taken)
		if err := errors.Join(err, werr); err != nil {
			return err
		}
	}
	return nil
}

// notifySignal is the real-time signal used here; os/signal reports it by
// number only, so a program with several queues would use one per queue.
var notifySignal = syscall.Signal(ipcfs.MqSignalMin)

// oneShotSignal: NotifySignal once, send once, receive after the signal.
func oneShotSignal(ctx context.Context, out io.Writer, q, sender *ipcfs.MqFile, _ int) error {
	return bySignal(ctx, out, q, sender, 1)
}

// repeatingSignal: register again after every signal, before draining.
func repeatingSignal(ctx context.Context, out io.Writer, q, sender *ipcfs.MqFile, n int) error {
	return bySignal(ctx, out, q, sender, n)
}

func bySignal(ctx context.Context, out io.Writer, q, sender *ipcfs.MqFile, n int) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, notifySignal) // before asking for it
	defer signal.Stop(sigs)
	if err := q.NotifySignal(notifySignal); err != nil {
		return err
	}
	defer q.CancelNotify()
	for i := range n {
		if err := send(ctx, sender, i); err != nil {
			return err
		}
		sig, err := wait(ctx, sigs)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  signal %d\n", sig)
		if i+1 < n {
			if err := q.NotifySignal(notifySignal); err != nil {
				return err
			}
		}
		if _, err := drain(out, q); err != nil {
			return err
		}
	}
	return nil
}
