package main

// This file is how a command stops on Ctrl-C (SIGINT) or SIGTERM: main
// cancels the context every wait and loop watches; the command stops at
// once, says how far it got ("interrupted after sending 3 messages") and the
// tool exits 130, the shell's convention. A command that cannot notice
// (blocked writing to a pipe nobody reads) is ended by main after
// interruptGrace, with the same report.

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// exitInterrupted is the exit status of an interrupted command.
const exitInterrupted = 130

// interruptGrace is how long main waits for an interrupted command to stop
// by itself before it exits for it.
const interruptGrace = 2 * time.Second

// interruptedError is the error of a command stopped by the context: it
// matches context.Canceled, and done says how far the command got ("" when
// there is nothing to say, as for a single wait).
type interruptedError struct{ done string }

func (e *interruptedError) Error() string {
	if e.done == "" {
		return "interrupted"
	}
	return "interrupted after " + e.done
}

func (e *interruptedError) Unwrap() error { return context.Canceled }

// counter counts what a long command has done, for its report when
// interrupted; main reads it when the command does not stop by itself.
type counter struct {
	n      atomic.Int64
	format func(n int64) string // "sending 3 messages"
}

func newCounter(format func(n int64) string) *counter { return &counter{format: format} }

func (c *counter) add(n int64) { c.n.Add(n) }

func (c *counter) String() string { return c.format(c.n.Load()) }

// interrupted returns the error for a command interrupted after c's count.
func (c *counter) interrupted() error { return &interruptedError{done: c.String()} }

// plural returns "1 message" or "3 messages".
func plural(n int64, what string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ctxWriter is the output of a command copying much data (cat): it writes
// in pieces of at most ctxWriteMax bytes, stops with the context between
// them, and counts what was written.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	n   *counter
}

const ctxWriteMax = 1 << 20

func (c *ctxWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if err := c.ctx.Err(); err != nil {
			return written, err
		}
		n, err := c.w.Write(p[:min(len(p), ctxWriteMax)])
		written += n
		c.n.add(int64(n))
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}
