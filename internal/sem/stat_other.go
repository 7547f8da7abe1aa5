//go:build !linux

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
