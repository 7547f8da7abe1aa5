//go:build !plan9

package mount

import (
	"context"
	"time"

	"github.com/ipcfs/ipcfs"
)

// semFile is an open semaphore: an afero.File and an ipcfs.Sem. Read
// acquires, Write releases.
type semFile struct {
	stream
	sem ipcfs.Sem
}

var _ ipcfs.Sem = (*semFile)(nil)

func (f *semFile) hd() *handle {
	if f == nil {
		return nil
	}
	return &f.handle
}

// Acquire is ipcfs.Sem.Acquire.
func (f *semFile) Acquire(ctx context.Context) error {
	if err := f.hd().checkValid("acquire"); err != nil {
		return err
	}
	return f.wrap("acquire", f.sem.Acquire(ctx))
}

// TryAcquire is ipcfs.Sem.TryAcquire.
func (f *semFile) TryAcquire() error {
	if err := f.hd().checkValid("acquire"); err != nil {
		return err
	}
	return f.wrap("acquire", f.sem.TryAcquire())
}

// Release is ipcfs.Sem.Release.
func (f *semFile) Release() error {
	if err := f.hd().checkValid("release"); err != nil {
		return err
	}
	return f.wrap("release", f.sem.Release())
}

// Value is ipcfs.Sem.Value.
func (f *semFile) Value() (int, error) {
	if err := f.hd().checkValid("value"); err != nil {
		return 0, err
	}
	v, err := f.sem.Value()
	return v, f.wrap("value", err)
}

// SetDeadline is ipcfs.Sem.SetDeadline.
func (f *semFile) SetDeadline(t time.Time) error {
	if err := f.hd().checkValid("setdeadline"); err != nil {
		return err
	}
	return f.wrap("setdeadline", f.sem.SetDeadline(t))
}

// SetReadDeadline is ipcfs.Sem.SetReadDeadline.
func (f *semFile) SetReadDeadline(t time.Time) error { return f.SetDeadline(t) }
