//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"errors"
	"io/fs"
)

// Stat is unsupported outside Linux (no handle can be opened there).
func (h *Handle) Stat() (Info, State, error) {
	if h.Closed() {
		return Info{}, State{}, fs.ErrClosed
	}
	return Info{}, State{}, errors.ErrUnsupported
}
