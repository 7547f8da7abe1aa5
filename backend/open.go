package backend

import (
	"errors"
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// Open opens the path p of fsys to look at it, never to take from it: it
// is what every namespace's Open (the fs.FS method) does, and so what
// fs.ReadFile, fs.WalkDir, fs.Sub, fs.Glob, http.FS, os.CopyFS and
// testing/fstest.TestFS see. A directory opens as a DirFile; a segment as
// itself, read-only, through openReadOnly (the namespace's OpenFile with
// os.O_RDONLY); a queue or a semaphore as a StatusFile holding its status
// text, from fsys.Stat, whose Sys must be an ipcfs.MqInfo or ipcfs.SemInfo
// (anything else gives errors.ErrUnsupported). Nothing is received or
// acquired and nothing waits, as reading the kernel's /dev/mqueue/NAME
// consumes nothing: a monitoring tool or an HTTP client reading a namespace
// cannot drain a queue or take a lock. Receiving, sending, acquiring and
// releasing are for handles from the namespace's OpenFile and Open*
// methods.
func Open(fsys FS, p string, openReadOnly func(p string) (fs.File, error)) (fs.File, error) {
	l, err := kind.Parse("open", p)
	switch {
	case err != nil:
		return nil, err
	case l.IsDir():
		d, err := OpenDir(fsys, p)
		if err != nil {
			return nil, err
		}
		return d, nil
	case !l.Kind.Consumes:
		return openReadOnly(p)
	}
	fi, err := fsys.Stat(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: unwrapPath(err)}
	}
	st, ok := fi.Sys().(kind.Statuser)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: errors.ErrUnsupported}
	}
	return NewStatusFile(p, fi, st.Status()), nil
}
