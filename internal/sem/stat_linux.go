//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"io/fs"
	"runtime"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/sys"
)

// Stat returns what fstat says of the semaphore's file, through the
// descriptor the object keeps (so it works after the name is removed), and
// the value and nwaiters; fs.ErrClosed after Close.
func (h *Handle) Stat() (Info, State, error) {
	o := h.obj
	o.fdMu.RLock()
	defer o.fdMu.RUnlock()
	if h.Closed() || o.file == nil {
		return Info{}, State{}, fs.ErrClosed
	}
	st := new(syscall.Stat_t)
	fd := int(o.file.Fd())
	if err := sys.Retry(func() error { return syscall.Fstat(fd, st) }); err != nil {
		return Info{}, State{}, err
	}
	v := h.Word.State()
	runtime.KeepAlive(h)
	return info(st), v, nil
}
