package fstest

import (
	"io/fs"
	"sync"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// handle is the state every open in-memory object has: its name, access
// mode and whether it is closed.
type handle struct {
	name     string // what Name returns and errors carry: "/" + clean name, or the path opened by
	readable bool
	writable bool

	closeOnce sync.Once
	closed    chan struct{} // closed by Close
}

// init sets the handle up for the object of kind k with the clean name
// name, with the access the open flag gives on k.
func (h *handle) init(k *kind.Kind, name string, flag int) {
	h.name = "/" + name
	h.readable, h.writable = k.Access(flag)
	h.closed = make(chan struct{})
}

// Name returns the name the handle was opened by: the POSIX name with its
// leading slash, or the namespace path ("mq/x") when opened by path.
func (h *handle) Name() string {
	if h == nil {
		return ""
	}
	return h.name
}

// checkValid returns the error for op on a nil or closed handle.
func (h *handle) checkValid(op string) error {
	if h == nil || h.closed == nil {
		return kind.NilHandle(op)
	}
	select {
	case <-h.closed:
		return kind.IfClosed(op, h.name, true)
	default:
		return nil
	}
}

// checkRead is checkValid plus the handle's read access (the host's error:
// fs.ErrPermission and EBADF, as for an fd not open for reading).
func (h *handle) checkRead(op string) error {
	if err := h.checkValid(op); err != nil {
		return err
	}
	if !h.readable {
		return h.err(op, kind.NotReadable())
	}
	return nil
}

// checkWrite is checkValid plus the handle's write access.
func (h *handle) checkWrite(op string) error {
	if err := h.checkValid(op); err != nil {
		return err
	}
	if !h.writable {
		return h.err(op, kind.NotWritable())
	}
	return nil
}

// close marks the handle closed, waking its waiters; closing it again gives
// fs.ErrClosed.
func (h *handle) close() error {
	if h == nil || h.closed == nil {
		return &fs.PathError{Op: "close", Path: "", Err: fs.ErrInvalid}
	}
	first := false
	h.closeOnce.Do(func() { close(h.closed); first = true })
	if !first {
		return &fs.PathError{Op: "close", Path: h.name, Err: fs.ErrClosed}
	}
	return nil
}

func (h *handle) err(op string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: h.name, Err: err}
}
