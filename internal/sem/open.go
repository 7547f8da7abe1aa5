package sem

import (
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Info is what Stat and Peek report about a semaphore's file.
type Info struct {
	// Perm holds the permission bits.
	Perm fs.FileMode
	// ModTime is the last modification time (st_mtim).
	ModTime time.Time
	// Sys is the raw stat (*syscall.Stat_t on Linux).
	Sys any
}

// ErrNotSemaphore is wrapped by the error for a file that exists under a
// semaphore's name but does not hold one (too short, or not in glibc's
// format). errors.Is(err, fs.ErrInvalid) holds.
var ErrNotSemaphore = fmt.Errorf("%w: not a glibc named semaphore", fs.ErrInvalid)

// ErrLostRace is returned when creation kept losing to concurrent
// create-and-remove cycles of the same name; glibc would loop forever.
var ErrLostRace = errors.New("semaphore kept vanishing while being opened")

// Validate checks that the first bytes of a file hold a named semaphore in
// glibc's format: at least Size bytes, the private field 128 and a value
// within ValueMax.
func Validate(head []byte) error {
	if len(head) < Size {
		return fmt.Errorf("%w: %d bytes, want %d", ErrNotSemaphore, len(head), Size)
	}
	private := uint32(head[8]) | uint32(head[9])<<8 | uint32(head[10])<<16 | uint32(head[11])<<24
	if private != Shared {
		return fmt.Errorf("%w: private field %d, want %d", ErrNotSemaphore, int32(private), Shared)
	}
	value := uint32(head[0]) | uint32(head[1])<<8 | uint32(head[2])<<16 | uint32(head[3])<<24
	if value > ValueMax {
		return fmt.Errorf("%w: value %d above SEM_VALUE_MAX", ErrNotSemaphore, value)
	}
	return nil
}
