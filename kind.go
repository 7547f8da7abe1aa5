package ipcfs

import (
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// The host's column of the kind table (internal/kind holds the rest: each
// kind's directory, name rules, host files, flag policy and file-info
// shape): how the host namespace opens, stats and removes each kind.
type hostKind struct {
	// open opens the object name as FS.OpenFile does: the kind's defaults
	// for what OpenFile cannot say (size 0, default queue attributes,
	// value 0).
	open func(name string, flag int, perm fs.FileMode) (File, error)
	// stat returns the FileInfo of the object with the clean name n.
	stat func(n string) (fs.FileInfo, error)
	// remove removes the object name.
	remove func(name string) error
}

var hostKinds = [kind.Count]hostKind{
	kind.ShmID: {
		open: func(name string, flag int, perm fs.FileMode) (File, error) {
			return asFile(OpenShm(name, flag, perm, 0))
		},
		stat:   statShm,
		remove: RemoveShm,
	},
	kind.MqID: {
		open: func(name string, flag int, perm fs.FileMode) (File, error) {
			return asFile(OpenMq(name, flag, perm, nil))
		},
		stat:   statMq,
		remove: RemoveMq,
	},
	kind.SemID: {
		open: func(name string, flag int, perm fs.FileMode) (File, error) {
			return asFile(OpenSem(name, flag, perm, 0))
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
