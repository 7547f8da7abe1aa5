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
