package main

import (
	"context"
	"io"
)

// ctxReader is a Reader whose reads end when ctx does, so Ctrl-C stops a
// command that waits for input on a terminal or pipe. Each Read runs in a
// goroutine, into a buffer of the reader's own (at most ctxReadMax bytes,
// reused), and is copied into p by the caller's goroutine: an abandoned
// read never writes into p, and a caller guarding p (ShmFile.ReadFrom reads
// straight into the mapping) sees every access to it. After ctx ends the
// reader returns ctx.Err() and is not read from again; the goroutine blocked
// in the abandoned read exits with the process.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	buf  []byte
	done chan readResult
}

// ctxReadMax bounds one read, and the reader's buffer.
const ctxReadMax = 1 << 20

type readResult struct {
	n   int
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
	if want := min(len(p), ctxReadMax); cap(c.buf) < want {
		c.buf = make([]byte, want)
	}
	buf := c.buf[:min(len(p), cap(c.buf))]
	go func() {
		n, err := c.r.Read(buf)
		c.done <- readResult{n, err}
	}()
	select {
	case res := <-c.done:
		return copy(p, buf[:res.n]), res.err
	case <-c.ctx.Done():
		c.buf = nil // the abandoned read may still write into it
		return 0, c.ctx.Err()
	}
}
