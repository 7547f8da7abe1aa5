package main

// This file reaches objects by POSIX name: those whose names are not UTF-8,
// which io/fs cannot carry (fs.ValidPath refuses them, so a namespace's
// ReadDir leaves them out and its Stat and Remove refuse them). The tool
// lists them from the host directory itself (kind.HostNames) or from a
// namespace that can list them (fstest.MemFS's Names), and stats and
// removes them with the calls that take POSIX names.

import (
	"errors"
	"io/fs"
	"os"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// posixNamer lists and removes objects by POSIX name, including names
// io/fs cannot reach. fstest.MemFS is one; hostNamer adapts the host.
type posixNamer interface {
	Names(dir string) ([]string, error)
	RemoveShm(name string) error
	RemoveMq(name string) error
	RemoveSem(name string) error
}

// hostNamer is the host's posixNamer.
type hostNamer struct{}

func (hostNamer) Names(dir string) ([]string, error) {
	k, ok := kind.Lookup(dir)
	if !ok {
		return nil, fs.ErrNotExist
	}
	return k.HostNames()
}

func (hostNamer) RemoveShm(name string) error { return ipcfs.RemoveShm(name) }
func (hostNamer) RemoveMq(name string) error  { return ipcfs.RemoveMq(name) }
func (hostNamer) RemoveSem(name string) error { return ipcfs.RemoveSem(name) }

// namer returns the posixNamer of ns, or nil when ns has none (then the
// tool sees only what ReadDir lists).
func namer(ns ipcfs.Namespace) posixNamer {
	switch n := ns.(type) {
	case posixNamer:
		return n
	case *ipcfs.FS:
		return hostNamer{}
	}
	return nil
}

// unreachableNames returns the names of kind k's objects that io/fs cannot
// reach, or nil when ns cannot list them. Call it only once ReadDir of
// k's directory worked (for queues: the mqueue file system is mounted).
func unreachableNames(ns ipcfs.Namespace, k *kind.Kind) ([]string, error) {
	n := namer(ns)
	if n == nil {
		return nil, nil
	}
	names, err := n.Names(k.Dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		if !(object{kind: k, name: name}).reachable() {
			out = append(out, name)
		}
	}
	return out, nil
}

// removeObject removes obj: by path when io/fs can carry its name, else by
// POSIX name.
func removeObject(ns ipcfs.Namespace, obj object) error {
	if obj.reachable() {
		return ns.Remove(obj.nsPath())
	}
	n := namer(ns)
	if n == nil {
		return errUnreachable
	}
	return cliKinds[obj.kind.ID].removeName(n, obj.name)
}

// errUnreachable is the error for an object whose name io/fs cannot carry,
// in a namespace that offers no other way to it.
var errUnreachable = errors.New("name is not UTF-8, and this namespace reaches objects only by io/fs path")

// statByHandle returns the FileInfo of obj through a handle on it, opened
// read-only by POSIX name (queues: write-only when reading is not
// permitted): for objects io/fs cannot reach, and queues on a host without
// the mqueue file system.
func statByHandle(e *env, obj object) (fs.FileInfo, error) {
	var f interface {
		Stat() (fs.FileInfo, error)
		Close() error
	}
	var err error
	switch obj.kind {
	case kind.Shm:
		f, err = e.ns.OpenShm(obj.name, os.O_RDONLY, 0, 0)
	case kind.Sem:
		f, err = e.ns.OpenSem(obj.name, os.O_RDONLY, 0, 0)
	default:
		f, err = e.ns.OpenMq(obj.name, os.O_RDONLY, 0, nil)
		if errors.Is(err, fs.ErrPermission) {
			f, err = e.ns.OpenMq(obj.name, os.O_WRONLY, 0, nil)
		}
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}
