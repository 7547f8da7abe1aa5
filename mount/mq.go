//go:build !plan9

package mount

import (
	"context"
	"time"

	"github.com/ipcfs/ipcfs"
)

// mqFile is an open message queue: an afero.File and an
// ipcfs.Mq. Write sends one message, Read receives one.
type mqFile struct {
	stream
	q ipcfs.Mq
}

var _ ipcfs.Mq = (*mqFile)(nil)

func (f *mqFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.handle
}

// Send is ipcfs.Mq.Send.
func (f *mqFile) Send(ctx context.Context, msg []byte, prio uint) error {
	if err := f.hd().checkValid("send"); err != nil {
		return err
	}
	return f.wrap("send", f.q.Send(ctx, msg, prio))
}

// Receive is ipcfs.Mq.Receive.
func (f *mqFile) Receive(ctx context.Context, buf []byte) (int, uint, error) {
	if err := f.hd().checkValid("receive"); err != nil {
		return 0, 0, err
	}
	n, prio, err := f.q.Receive(ctx, buf)
	return n, prio, f.wrap("receive", err)
}

// Attr is ipcfs.Mq.Attr.
func (f *mqFile) Attr() (ipcfs.MqAttr, error) {
	if err := f.hd().checkValid("attr"); err != nil {
		return ipcfs.MqAttr{}, err
	}
	a, err := f.q.Attr()
	return a, f.wrap("attr", err)
}

// SetNonblocking is ipcfs.Mq.SetNonblocking.
func (f *mqFile) SetNonblocking(nonblocking bool) error {
	if err := f.hd().checkValid("setnonblocking"); err != nil {
		return err
	}
	return f.wrap("setnonblocking", f.q.SetNonblocking(nonblocking))
}

// SetPriority is ipcfs.Mq.SetPriority.
func (f *mqFile) SetPriority(prio uint) error {
	if err := f.hd().checkValid("setpriority"); err != nil {
		return err
	}
	return f.wrap("setpriority", f.q.SetPriority(prio))
}

// SetDeadline is ipcfs.Mq.SetDeadline.
func (f *mqFile) SetDeadline(t time.Time) error {
	if err := f.hd().checkValid("setdeadline"); err != nil {
		return err
	}
	return f.wrap("setdeadline", f.q.SetDeadline(t))
}

// SetReadDeadline is ipcfs.Mq.SetReadDeadline.
func (f *mqFile) SetReadDeadline(t time.Time) error {
	if err := f.hd().checkValid("setreaddeadline"); err != nil {
		return err
	}
	return f.wrap("setreaddeadline", f.q.SetReadDeadline(t))
}

// SetWriteDeadline is ipcfs.Mq.SetWriteDeadline.
func (f *mqFile) SetWriteDeadline(t time.Time) error {
	if err := f.hd().checkValid("setwritedeadline"); err != nil {
		return err
	}
	return f.wrap("setwritedeadline", f.q.SetWriteDeadline(t))
}

// Notify is ipcfs.Mq.Notify.
func (f *mqFile) Notify(fn func()) error {
	if err := f.hd().checkValid("notify"); err != nil {
		return err
	}
	return f.wrap("notify", f.q.Notify(fn))
}

// CancelNotify is ipcfs.Mq.CancelNotify.
func (f *mqFile) CancelNotify() error {
	if err := f.hd().checkValid("cancelnotify"); err != nil {
		return err
	}
	return f.wrap("cancelnotify", f.q.CancelNotify())
}
