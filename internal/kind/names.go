package kind

// The POSIX name rules shared by the three kinds, and where the host keeps
// each object.
//
// A name is accepted with or without one leading slash ("/x" and "x" name
// the same object). What remains must be non-empty, must not be "." or "..",
// must not contain another '/' or a NUL byte, and must fit in what glibc or
// the kernel stores: 255 bytes for shared memory and queues, 251 for
// semaphores (glibc stores them as "sem."+name, a 255-byte file name).
// Shared-memory names may not start with "sem.", which is glibc's prefix for
// semaphore files in the same directory.

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"
)

// ShmDir is the directory glibc (2.34 and later, unconditionally) keeps
// shared memory segments and named semaphores in.
const ShmDir = "/dev/shm/"

// MqueueDir is where the mqueue file system is conventionally mounted.
const MqueueDir = "/dev/mqueue/"

// SemPrefix is glibc's file-name prefix for named semaphores in ShmDir.
const SemPrefix = "sem."

// The reasons Clean gives; its errors wrap one of them and fs.ErrInvalid.
var (
	ErrEmpty    = errors.New("empty name")
	ErrSlash    = errors.New("name contains '/' after the first character")
	ErrDots     = errors.New(`name is "." or ".."`)
	ErrNUL      = errors.New("name contains a NUL byte")
	ErrTooLong  = errors.New("name too long")
	ErrReserved = errors.New(`shared memory name starts with "sem." (glibc's semaphore prefix)`)
)

// InvalidName returns the error for a name refused for reason: it matches
// both fs.ErrInvalid and reason.
func InvalidName(reason error) error { return fmt.Errorf("%w: %w", fs.ErrInvalid, reason) }

// Clean validates name for k and returns it without its leading slash. A
// refused name gives an error matching fs.ErrInvalid and the reason
// (ErrEmpty, ErrSlash, ...).
func (k *Kind) Clean(name string) (string, error) {
	n := strings.TrimPrefix(name, "/")
	var reason error
	switch {
	case n == "":
		reason = ErrEmpty
	case strings.IndexByte(n, 0) >= 0:
		reason = ErrNUL
	case strings.IndexByte(n, '/') >= 0:
		reason = ErrSlash
	case n == "." || n == "..":
		reason = ErrDots
	case len(n) > k.MaxLen:
		reason = ErrTooLong
	case k.reserved != "" && strings.HasPrefix(n, k.reserved):
		reason = ErrReserved
	default:
		return n, nil
	}
	return "", InvalidName(reason)
}

// HostPath returns the host file that holds the object with the clean name
// n: /dev/shm/n for shared memory, /dev/shm/sem.n for semaphores and
// /dev/mqueue/n for queues (only present when the mqueue file system is
// mounted there; queues themselves never need it).
func (k *Kind) HostPath(n string) string { return k.hostDir + k.hostPrefix + n }

// HostDir returns the host directory that holds the kind's files.
func (k *Kind) HostDir() string { return k.hostDir }

// FromHostName returns the name of the object that the file hostName in
// HostDir holds, and whether it holds one of this kind: in /dev/shm,
// "sem.x" is semaphore x and no segment, "x" segment x.
func (k *Kind) FromHostName(hostName string) (string, bool) {
	n, ok := strings.CutPrefix(hostName, k.hostPrefix)
	if !ok {
		return "", false
	}
	if _, err := k.Clean(n); err != nil {
		return "", false
	}
	return n, true
}

// Listed reports whether the object with the clean name n belongs in the
// io/fs view of a namespace: whether "dir/"+n is a valid io/fs path, which
// needs n to be valid UTF-8 (fs.ValidPath). POSIX names are any bytes but
// '/' and NUL, so a name planted in /dev/shm may not be: ReadDir leaves such
// names out (Stat, Open and Remove by path could not reach them), and only
// the calls by POSIX name (OpenShm, RemoveShm, ...) reach those objects.
func Listed(n string) bool { return fs.ValidPath(n) }

// RandomName returns n random letters and digits, for temporary names.
func RandomName(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}
