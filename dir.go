package ipcfs

// The host namespace's directories: listing each kind's objects from the
// host directory that holds their files.

import (
	"errors"
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
)

// Unlister is implemented by namespaces that can hold objects whose POSIX
// names are not valid io/fs path elements (not valid UTF-8: POSIX names are
// any bytes but '/' and NUL, and anyone may plant such a file in /dev/shm).
// ReadDir leaves those objects out, as Stat, Open and Remove by path could
// not reach them; Unlisted lists them. *FS and fstest's MemFS implement it,
// and fstest.Snapshot reports what it lists.
type Unlister interface {
	// Unlisted returns the objects of dir ("shm", "mq" or "sem") that
	// ReadDir leaves out, sorted by name. Each entry's Name is the object's
	// POSIX name without its leading slash, which the calls by name
	// (OpenShm, RemoveShm, OpenSem, ...) accept.
	Unlisted(dir string) ([]fs.DirEntry, error)
}

var _ Unlister = (*FS)(nil)

// Unlisted returns the objects of the directory dir ("shm", "mq" or "sem")
// whose names are not valid io/fs path elements, which ReadDir leaves out
// (see Unlister), sorted by name. Listing "mq" needs the mqueue file system
// at /dev/mqueue, as ReadDir does.
func (f *FS) Unlisted(dir string) ([]fs.DirEntry, error) {
	l, _, err := kind.ParseDir(dir)
	if err == nil && l.Kind == nil {
		err = &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrInvalid}
	}
	if err != nil {
		return nil, err
	}
	entries, err := listKind(l.Kind, false)
	if err != nil {
		return nil, pathError("readdir", dir, err)
	}
	return entries, nil
}

// listKind returns the entries for every object of kind k on the host
// whose name kind.Listed says is listed (listed true) or is not (false),
// sorted by name. Objects that vanish while listing, and files that are not
// objects of k, are left out.
func listKind(k *kind.Kind, listed bool) ([]fs.DirEntry, error) {
	if k.NeedsMount && !mq.Mounted() {
		return nil, ErrMqueueNotMounted
	}
	names, err := k.HostNames() // sorted
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	var entries []fs.DirEntry
	for _, n := range names {
		if kind.Listed(n) != listed {
			continue
		}
		fi, err := host(k).stat(n)
		if err != nil {
			continue // vanished, not ours (a directory, a symlink) or unreadable
		}
		entries = append(entries, fs.FileInfoToDirEntry(fi))
	}
	return entries, nil
}
