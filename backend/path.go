package backend

import (
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// SplitPath parses a namespace path ("." , "shm", "mq/jobs") into its
// directory and object name, with the *fs.PathError (op and p) an Open of
// it returns: fs.ErrInvalid for a path fs.ValidPath refuses or a name the
// POSIX rules refuse, fs.ErrNotExist outside the three directories. dir is
// "" for the root and name "" for a directory. The host namespace, the
// in-memory one and the ipcfs command all read paths with it.
func SplitPath(op, p string) (dir, name string, err error) {
	path, err := kind.Parse(op, p)
	if err != nil {
		return "", "", err
	}
	if path.Kind != nil {
		dir = path.Kind.Dir
	}
	return dir, path.Name, nil
}

// CleanName validates a POSIX name for kind dir ("shm", "mq" or "sem") and
// returns it without its leading slash ("/x" and "x" are the same object).
// An empty name, "." or "..", a further '/', a NUL byte, a name longer than
// 255 bytes (251 for semaphores) or a segment name starting with "sem." is
// refused with an error matching fs.ErrInvalid that says what is wrong; an
// unknown dir gives fs.ErrNotExist.
func CleanName(dir, name string) (string, error) {
	k, ok := kind.Lookup(dir)
	if !ok {
		return "", &fs.PathError{Op: "open", Path: dir, Err: fs.ErrNotExist}
	}
	return k.Clean(name)
}
