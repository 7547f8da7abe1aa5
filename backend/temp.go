package backend

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// CreateTemp creates a new object in the directory dir ("shm", "mq" or
// "sem") with a random name made from pattern, as os.CreateTemp does: the
// last "*" in pattern is replaced by random characters (appended if there
// is none). create is called with the new object's path ("mq/job-Xy3...")
// and must create it exclusively (os.O_CREATE|os.O_EXCL), failing with an
// error matching fs.ErrExist when the name is taken; CreateTemp then tries
// fresh names, up to 100 times. A dir other than the three gives
// fs.ErrNotExist, a pattern holding '/' or a NUL byte fs.ErrInvalid. The
// namespaces' CreateTemp methods are built on it.
func CreateTemp[F any](dir, pattern string, create func(p string) (F, error)) (F, error) {
	var none F
	if _, ok := kind.Lookup(dir); !ok {
		return none, &fs.PathError{Op: "createtemp", Path: dir, Err: fs.ErrNotExist}
	}
	switch {
	case strings.IndexByte(pattern, '/') >= 0:
		return none, &fs.PathError{Op: "createtemp", Path: path.Join(dir, pattern), Err: kind.InvalidName(kind.ErrSlash)}
	case strings.IndexByte(pattern, 0) >= 0:
		return none, &fs.PathError{Op: "createtemp", Path: path.Join(dir, pattern), Err: kind.InvalidName(kind.ErrNUL)}
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	const tries = 100
	for range tries {
		f, err := create(dir + "/" + prefix + kind.RandomName(12) + suffix)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return none, &fs.PathError{Op: "createtemp", Path: dir + "/" + pattern, Err: fs.ErrExist}
}
