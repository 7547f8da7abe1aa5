package kind

import (
	"io/fs"
	"strings"
)

// Path is a parsed namespace path: the root "." (Kind nil), a directory
// ("shm": Name empty) or an object ("shm/x").
type Path struct {
	Kind *Kind
	Name string // the object's clean name, without slash; "" for a directory
}

// Parse parses the namespace path p ("." , "shm", "mq/jobs"), as every
// namespace and the command-line tool read paths, returning the error an
// Open of p gives (an *fs.PathError with op and p): fs.ErrInvalid for a
// path fs.ValidPath refuses or an object name the kind's rules refuse,
// fs.ErrNotExist for anything outside the three directories. When p starts
// with a kind's directory, the returned Path has that Kind even on error.
func Parse(op, p string) (Path, error) {
	if !fs.ValidPath(p) {
		return Path{}, &fs.PathError{Op: op, Path: p, Err: fs.ErrInvalid}
	}
	if p == "." {
		return Path{}, nil
	}
	dir, name, _ := strings.Cut(p, "/")
	k, ok := Lookup(dir)
	if !ok {
		return Path{}, &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
	}
	if strings.Contains(name, "/") {
		return Path{Kind: k}, &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
	}
	if name == "" {
		return Path{Kind: k}, nil
	}
	if _, err := k.Clean(name); err != nil {
		return Path{Kind: k}, &fs.PathError{Op: op, Path: p, Err: err}
	}
	return Path{Kind: k, Name: name}, nil
}

// IsDir reports whether p is the root or a directory.
func (p Path) IsDir() bool { return p.Name == "" }

// String returns p as a namespace path: ".", "shm" or "shm/x".
func (p Path) String() string {
	switch {
	case p.Kind == nil:
		return "."
	case p.Name == "":
		return p.Kind.Dir
	}
	return p.Kind.Dir + "/" + p.Name
}
