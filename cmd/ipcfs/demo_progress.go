package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// demoProgress shows how far the conversations are: a live line redrawn on a
// terminal, plain lines otherwise (a start line, one per quarter, an end
// line), nothing for --json.
type demoProgress struct {
	w        io.Writer
	terminal bool
	silent   bool
	mu       sync.Mutex // serialises writes to w
}

func demoNewProgress(w io.Writer, silent bool) *demoProgress {
	p := &demoProgress{w: w, silent: silent}
	if f, ok := w.(*os.File); ok {
		p.terminal = demoIsTerminal(f.Fd())
	}
	return p
}

// linef prints a plain line.
func (p *demoProgress) linef(format string, args ...any) {
	if p.silent {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// demoBar tracks one conversation.
type demoBar struct {
	p       *demoProgress
	label   string
	total   int
	done    atomic.Int64
	quarter atomic.Int64 // plain mode: quarters printed
	start   time.Time
	stop    chan struct{}
	stopped chan struct{}
}

func (p *demoProgress) start(label string, total int) *demoBar {
	return &demoBar{p: p, label: label, total: total}
}

// running is called once the conclusion (pid) has started talking over
// objects.
func (b *demoBar) running(pid int, objects []string) {
	b.start = time.Now()
	if b.p.silent {
		return
	}
	b.p.linef("%-8s talking with pid %d over %s: %d round trips", b.label, pid, strings.Join(objects, " "), b.total)
	if b.p.terminal {
		b.stop, b.stopped = make(chan struct{}), make(chan struct{})
		go b.redraw()
	}
}

// set records n verified round trips.
func (b *demoBar) set(n int) {
	b.done.Store(int64(n))
	if b.p.silent || b.p.terminal || b.total < 4 {
		return
	}
	if q := int64(n * 4 / b.total); q > b.quarter.Load() && q < 4 {
		b.quarter.Store(q)
		b.p.linef("%-8s %d/%d round trips verified", b.label, n, b.total)
	}
}

// redraw rewrites the live line ten times a second until finish.
func (b *demoBar) redraw() {
	defer close(b.stopped)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		b.draw()
		select {
		case <-b.stop:
			return
		case <-tick.C:
		}
	}
}

func (b *demoBar) draw() {
	const width = 30
	n := int(b.done.Load())
	filled := n * width / b.total
	rate := float64(n) / time.Since(b.start).Seconds()
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	fmt.Fprintf(b.p.w, "\r%-8s [%s%s] %d/%d  %.0f round trips/s\x1b[K",
		b.label, strings.Repeat("#", filled), strings.Repeat("-", width-filled), n, b.total, rate)
}

// finish ends the bar; err is the conversation's error, if any.
func (b *demoBar) finish(err error) {
	if b.stop != nil {
		close(b.stop)
		<-b.stopped
		b.draw()
		b.p.linef("")
	}
	if b.p.silent || b.start.IsZero() {
		return
	}
	if err != nil {
		b.p.linef("%-8s stopped after %d/%d round trips", b.label, b.done.Load(), b.total)
	} else if !b.p.terminal {
		b.p.linef("%-8s %d/%d round trips verified", b.label, b.total, b.total)
	}
}
