package ipcfs

import (
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// The host's column of the kind table (internal/kind holds the rest: each
// kind's directory, name rules, host files, flag policy and file-info
// shape): how the host namespace opens, stats and removes each kind.
type hostKind struct {
	// open opens the object name at the namespace path p as FS.OpenFile
	// and FS.CreateTemp do: a new object gets o's size, queue attributes
	// or value (zero: the kind's defaults), and the handle is named p.
	open func(p, name string, flag int, perm fs.FileMode, o TempOptions) (File, error)
	// stat returns the FileInfo of the object with the clean name n.
	stat func(n string) (fs.FileInfo, error)
	// remove removes the object name.
	remove func(name string) error
}

var hostKinds = [kind.Count]hostKind{
	kind.ShmID: {
		open: func(p, name string, flag int, perm fs.FileMode, o TempOptions) (File, error) {
			f, err := OpenShm(name, flag, perm, o.Size)
			if err != nil {
				return nil, err
			}
			f.name = p
			return f, nil
		},
		stat:   statShm,
		remove: RemoveShm,
	},
	kind.MqID: {
		open: func(p, name string, flag int, perm fs.FileMode, o TempOptions) (File, error) {
			q, err := OpenMq(name, flag, perm, o.Attr)
			if err != nil {
				return nil, err
			}
			q.name = p
			return q, nil
		},
		stat:   statMq,
		remove: RemoveMq,
	},
	kind.SemID: {
		open: func(p, name string, flag int, perm fs.FileMode, o TempOptions) (File, error) {
			s, err := OpenSem(name, flag, perm, o.Value)
			if err != nil {
				return nil, err
			}
			s.name = p
			return s, nil
		},
		stat:   statSem,
		remove: RemoveSem,
	},
}

// host returns the host's operations on kind k.
func host(k *kind.Kind) *hostKind { return &hostKinds[k.ID] }

// asFile returns f as a File, or a nil File (not a File holding a nil
// pointer) with err.
func asFile[F File](f F, err error) (File, error) {
	if err != nil {
		return nil, err
	}
	return f, nil
}
