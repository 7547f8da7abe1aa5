// Package names holds the POSIX IPC name rules shared by shared memory,
// message queues and named semaphores, and maps names to host paths.
//
// A name is accepted with or without one leading slash ("/x" and "x" name
// the same object). What remains must be non-empty, must not be "." or "..",
// must not contain another '/' or a NUL byte, and must fit in what glibc or
// the kernel stores: 255 bytes for shared memory and queues, 251 for
// semaphores (glibc stores them as "sem."+name, a 255-byte file name).
// Shared-memory names may not start with "sem.", which is glibc's prefix for
// semaphore files in the same directory.
package names

import (
	"errors"
	"strings"
)

// Kind is the kind of IPC object a name belongs to.
type Kind int

// The three kinds of object.
const (
	Shm Kind = iota
	Mq
	Sem
)

// ShmDir is the directory glibc (2.34 and later, unconditionally) keeps
// shared memory segments and named semaphores in.
const ShmDir = "/dev/shm/"

// MqueueDir is where the mqueue file system is conventionally mounted.
const MqueueDir = "/dev/mqueue/"

// SemPrefix is glibc's file-name prefix for named semaphores in ShmDir.
const SemPrefix = "sem."

// MaxLen returns the longest name (without the leading slash) for kind.
func MaxLen(k Kind) int {
	if k == Sem {
		return 255 - len(SemPrefix)
	}
	return 255
}

// Errors returned by Clean. Callers wrap them with fs.ErrInvalid.
var (
	ErrEmpty    = errors.New("empty name")
	ErrSlash    = errors.New("name contains '/' after the first character")
	ErrDots     = errors.New(`name is "." or ".."`)
	ErrNUL      = errors.New("name contains a NUL byte")
	ErrTooLong  = errors.New("name too long")
	ErrReserved = errors.New(`shared memory name starts with "sem." (glibc's semaphore prefix)`)
)

// Clean validates name for kind and returns it without its leading slash.
func Clean(k Kind, name string) (string, error) {
	n := strings.TrimPrefix(name, "/")
	switch {
	case n == "":
		return "", ErrEmpty
	case strings.IndexByte(n, 0) >= 0:
		return "", ErrNUL
	case strings.IndexByte(n, '/') >= 0:
		return "", ErrSlash
	case n == "." || n == "..":
		return "", ErrDots
	case len(n) > MaxLen(k):
		return "", ErrTooLong
	case k == Shm && strings.HasPrefix(n, SemPrefix):
		return "", ErrReserved
	}
	return n, nil
}

// Path returns the host file that holds the object with the clean name n:
// /dev/shm/n for shared memory, /dev/shm/sem.n for semaphores and
// /dev/mqueue/n for queues (only present when the mqueue file system is
// mounted there; queues themselves never need it).
func Path(k Kind, n string) string {
	switch k {
	case Sem:
		return ShmDir + SemPrefix + n
	case Mq:
		return MqueueDir + n
	}
	return ShmDir + n
}
