package kind

import (
	"io/fs"
	"os"
	"strings"
	"syscall"
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

// ParseObject is Parse for a call that acts on an object (Remove, Chmod,
// Chown, Chtimes): the root and the directories cannot be removed or
// changed, and give EPERM.
func ParseObject(op, p string) (Path, error) {
	l, err := Parse(op, p)
	if err == nil && l.IsDir() {
		return l, &fs.PathError{Op: op, Path: p, Err: syscall.EPERM}
	}
	return l, err
}

// ParseDir is Parse for ReadDir: an object is not a directory (ENOTDIR);
// for the root it also returns the listing every namespace gives.
func ParseDir(p string) (Path, []fs.DirEntry, error) {
	l, err := Parse("readdir", p)
	switch {
	case err != nil:
		return l, nil, err
	case !l.IsDir():
		return l, nil, &fs.PathError{Op: "readdir", Path: p, Err: syscall.ENOTDIR}
	case l.Kind == nil:
		return l, RootEntries(), nil
	}
	return l, nil, nil
}

// RootEntries returns the listing of a namespace's root: the directories
// "mq", "sem" and "shm", sorted.
func RootEntries() []fs.DirEntry {
	entries := make([]fs.DirEntry, 0, Count)
	for _, d := range []string{"mq", "sem", "shm"} {
		k, _ := Lookup(d)
		entries = append(entries, fs.FileInfoToDirEntry(DirInfo(d, k)))
	}
	return entries
}

// ParseOpen is Parse for OpenFile with flag: a directory opens only
// read-only (EISDIR for writing, creating or truncating).
func ParseOpen(p string, flag int) (Path, error) {
	l, err := Parse("open", p)
	if err == nil && l.IsDir() && flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC) != 0 {
		return l, &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
	}
	return l, err
}

// ParseStat is Parse for Stat: for the root and the directories, which
// every namespace describes alike, it also returns their FileInfo.
func ParseStat(p string) (Path, fs.FileInfo, error) {
	l, err := Parse("stat", p)
	if err != nil || !l.IsDir() {
		return l, nil, err
	}
	return l, DirInfo(p, l.Kind), nil
}
