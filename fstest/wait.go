package fstest

import (
	"context"
	"io/fs"
	"os"
	"sync"
	"time"
)

// broadcast wakes every goroutine waiting for a state change. Callers hold
// the lock of the object whose state it announces.
type broadcast struct{ ch chan struct{} }

// wait returns a channel that is closed at the next notify.
func (b *broadcast) wait() <-chan struct{} {
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

// notify wakes every current waiter.
func (b *broadcast) notify() {
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}

// deadline is one direction's deadline of a handle, as os.File keeps them:
// changing it wakes the goroutines waiting under the old one.
type deadline struct {
	mu      sync.Mutex
	t       time.Time
	changed broadcast
}

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	d.t = t
	d.changed.notify()
	d.mu.Unlock()
}

func (d *deadline) get() (time.Time, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.t, d.changed.wait()
}

// block runs try until it reports done or an error, waiting between tries
// for the channel try returns. Before every try it fails with ctx.Err() if
// ctx has ended and with os.ErrDeadlineExceeded if the deadline has passed,
// as os.File does; closed ending the wait gives fs.ErrClosed. try runs with
// the object's lock held by its own code; it must return the wake channel
// it read under that lock.
func block(ctx context.Context, dl *deadline, closed <-chan struct{}, try func() (done bool, wake <-chan struct{}, err error)) error {
	if ctx == nil {
		ctx = context.Background()
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-closed:
			return fs.ErrClosed
		default:
		}
		t, dlChanged := dl.get()
		if !t.IsZero() && !time.Now().Before(t) {
			return os.ErrDeadlineExceeded
		}
		done, wake, err := try()
		if done || err != nil {
			return err
		}
		var timeout <-chan time.Time
		var timer *time.Timer
		if !t.IsZero() {
			timer = time.NewTimer(time.Until(t))
			timeout = timer.C
		}
		select {
		case <-wake:
		case <-dlChanged:
		case <-timeout:
		case <-ctx.Done():
		case <-closed:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}
