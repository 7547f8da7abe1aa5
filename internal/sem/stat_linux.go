package sem

import (
	"io/fs"
	"runtime"
	"syscall"
)

// Stat returns the stat of the semaphore's file, through the descriptor
// the object keeps (so it works after the name is removed), and the value;
// fs.ErrClosed after Close.
func (h *Handle) Stat() (*syscall.Stat_t, uint32, error) {
	o := h.obj
	o.fdMu.RLock()
	defer o.fdMu.RUnlock()
	if h.Closed() || o.file == nil {
		return nil, 0, fs.ErrClosed
	}
	st := new(syscall.Stat_t)
	if err := syscall.Fstat(int(o.file.Fd()), st); err != nil {
		return nil, 0, err
	}
	v := h.Word.Value()
	runtime.KeepAlive(h)
	return st, v, nil
}
