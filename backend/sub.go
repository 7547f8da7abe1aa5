package backend

import (
	"errors"
	"io/fs"
	"path"
	"syscall"
)

// FS is what Sub needs of a namespace: every ipcfs.Namespace is one.
type FS interface {
	fs.ReadDirFS
	fs.StatFS
}

// Sub returns the directory dir ("shm", "mq" or "sem") of fsys as an fs.FS,
// as fs.Sub would, for a namespace's Sub method (fs.Sub itself would call
// that method again). Paths inside it are relative to dir, and so are the
// paths its errors carry; "." opens and stats as dir itself. dir "." is
// fsys; a missing dir or an object gives the namespace's error.
func Sub(fsys FS, dir string) (fs.FS, error) {
	if dir == "." {
		return fsys, nil
	}
	fi, err := fsys.Stat(dir)
	if err != nil {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: unwrapPath(err)}
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: syscall.ENOTDIR}
	}
	return &subFS{fsys: fsys, dir: dir}, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// subFS is one directory of a namespace as an fs.FS.
type subFS struct {
	fsys FS
	dir  string
}

func (s *subFS) full(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(s.dir, name), nil
}

func (s *subFS) fix(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: unwrapPath(err)}
}

func (s *subFS) Open(name string) (fs.File, error) {
	full, err := s.full("open", name)
	if err != nil {
		return nil, err
	}
	if name == "." {
		entries, err := s.fsys.ReadDir(s.dir)
		if err != nil {
			return nil, s.fix("open", name, err)
		}
		return NewDirFile(".", DirInfo(".", s.dir), entries), nil
	}
	f, err := s.fsys.Open(full)
	if err != nil {
		return nil, s.fix("open", name, err)
	}
	return f, nil
}

func (s *subFS) ReadDir(name string) ([]fs.DirEntry, error) {
	full, err := s.full("readdir", name)
	if err != nil {
		return nil, err
	}
	d, err := s.fsys.ReadDir(full)
	return d, s.fix("readdir", name, err)
}

func (s *subFS) Stat(name string) (fs.FileInfo, error) {
	full, err := s.full("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := s.fsys.Stat(full)
	if err != nil {
		return nil, s.fix("stat", name, err)
	}
	if name == "." {
		fi = DirInfo(".", s.dir)
	}
	return fi, nil
}
