package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
)

// Exit statuses (and exitInterrupted, 130, in interrupt.go).
const (
	exitOK       = 0 // success
	exitError    = 1 // the command failed
	exitUsage    = 2 // bad command line
	exitTimedOut = 3 // a wait timed out, or would have blocked with --timeout 0
)

func main() {
	// Ctrl-C and SIGTERM cancel the context, which ends waits and loops
	// (send, recv, wait, post, cat, write) promptly with nothing lost.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := newEnv(ctx, os.Stdin, os.Stdout, os.Stderr, ipcfs.New())
	done := make(chan int, 1)
	go func() { done <- e.run(os.Args[1:]) }()
	var code int
	select {
	case code = <-done:
	case <-ctx.Done():
		// After the first signal, a second one kills the process the
		// default way.
		stop()
		code = awaitInterrupted(e, done, time.After(interruptGrace))
	}
	stop()
	os.Exit(code)
}

// awaitInterrupted waits for the interrupted command to stop and returns
// its exit status. A command still running when grace ends (blocked writing
// to a pipe nobody reads) is given up on: awaitInterrupted reports how far
// it got and returns exitInterrupted, unless it handles interrupts itself.
func awaitInterrupted(e *env, done <-chan int, grace <-chan time.Time) int {
	for {
		select {
		case code := <-done:
			return code
		case <-grace:
			if e.ownSignals.Load() {
				continue // the demo cleans up; a second Ctrl-C kills it
			}
			fmt.Fprintf(e.stderr, "ipcfs: %s\n", e.interruptMessage())
			return exitInterrupted
		}
	}
}
