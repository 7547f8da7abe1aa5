package main

import (
	"context"
	"io"
)

// ctxReader is a Reader whose reads end when ctx does, so Ctrl-C stops a
// command that waits for input on a terminal or pipe. Each Read runs in a
// goroutine; after ctx ends the reader returns ctx.Err() and is not read
// from again (the goroutine blocked in the abandoned read exits with the
// process).
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	done chan readResult
}

type readResult struct {
	buf []byte
	err error
}

func newCtxReader(ctx context.Context, r io.Reader) *ctxReader {
	return &ctxReader{ctx: ctx, r: r, done: make(chan readResult, 1)}
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	go func() {
		// A buffer of its own: an abandoned read must not write into p
		// after Read has returned.
		buf := make([]byte, len(p))
		n, err := c.r.Read(buf)
		c.done <- readResult{buf[:n], err}
	}()
	select {
	case res := <-c.done:
		return copy(p, res.buf), res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}
