package sem

import (
	"fmt"
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// NotSemaphore returns the error for a file of the given mode and size
// that cannot hold a semaphore, saying what it is: "16 bytes, want 32", or
// "found a FIFO". It wraps ErrNotSemaphore.
func NotSemaphore(mode fs.FileMode, size int64) error {
	if mode.Type() != 0 {
		return fmt.Errorf("%w: found %s", ErrNotSemaphore, kind.FileType(mode))
	}
	return fmt.Errorf("%w: %d bytes, want %d", ErrNotSemaphore, size, Size)
}
