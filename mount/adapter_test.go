package mount_test

import (
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
	"github.com/spf13/afero"
)

// aferoNS is an ipcfs.Namespace seen through a mount, so the conformance
// suite can run against mounted namespaces. Everything goes through the
// afero.Fs except what afero cannot express: creating a queue with
// attributes, a semaphore with a value or a segment with a size is done on
// the namespace behind the mount, and the object is then opened through
// the mount.
type aferoNS struct {
	afs    afero.Fs
	prefix string // the mount point ("" for New)
	under  ipcfs.Namespace
}

var _ ipcfs.Namespace = (*aferoNS)(nil)

func (a *aferoNS) path(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join("/", a.prefix, name), nil
}

// unmap gives an error about the afero path p back the namespace path name
// the suite used, as a Namespace reports it.
func (a *aferoNS) unmap(p, name string, err error) error {
	if pe, ok := err.(*fs.PathError); ok && pe.Path == p {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

func (a *aferoNS) Open(name string) (fs.File, error) {
	p, err := a.path("open", name)
	if err != nil {
		return nil, err
	}
	f, err := a.afs.Open(p)
	if err != nil {
		return nil, a.unmap(p, name, err)
	}
	return f, nil
}

func (a *aferoNS) OpenFile(name string, flag int, perm fs.FileMode) (ipcfs.File, error) {
	p, err := a.path("open", name)
	if err != nil {
		return nil, err
	}
	f, err := a.afs.OpenFile(p, flag, perm)
	if err != nil {
		return nil, a.unmap(p, name, err)
	}
	return f.(ipcfs.File), nil
}

func (a *aferoNS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := a.path("readdir", name)
	if err != nil {
		return nil, err
	}
	f, err := a.afs.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if d, ok := f.(fs.ReadDirFile); ok {
		return d.ReadDir(-1)
	}
	_, err = f.Readdir(-1)
	return nil, err
}

func (a *aferoNS) Stat(name string) (fs.FileInfo, error) {
	p, err := a.path("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := a.afs.Stat(p)
	return fi, a.unmap(p, name, err)
}

func (a *aferoNS) Remove(name string) error {
	p, err := a.path("remove", name)
	if err != nil {
		return err
	}
	return a.afs.Remove(p)
}

func (a *aferoNS) CreateTemp(dir, pattern string) (ipcfs.File, error) {
	return ipcfs.CreateTemp(a, dir, pattern)
}

func (a *aferoNS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (ipcfs.Shm, error) {
	if flag&os.O_CREATE != 0 || size > 0 {
		f, err := a.under.OpenShm(name, flag, perm, size)
		if err != nil {
			return nil, err
		}
		f.Close()
		flag &^= os.O_TRUNC
	} else if _, err := backend.CleanName("shm", name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	n, _ := backend.CleanName("shm", name)
	f, err := a.OpenFile("shm/"+n, flag&^(os.O_CREATE|os.O_EXCL), perm)
	if err != nil {
		return nil, err
	}
	return f.(ipcfs.Shm), nil
}

func (a *aferoNS) OpenMq(name string, flag int, perm fs.FileMode, attr *ipcfs.MqAttr) (ipcfs.Mq, error) {
	if flag&os.O_CREATE != 0 && attr != nil {
		f, err := a.under.OpenMq(name, flag, perm, attr)
		if err != nil {
			return nil, err
		}
		f.Close()
		flag &^= os.O_CREATE | os.O_EXCL
	}
	n, err := backend.CleanName("mq", name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := a.OpenFile("mq/"+n, flag, perm)
	if err != nil {
		return nil, err
	}
	return f.(ipcfs.Mq), nil
}

func (a *aferoNS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (ipcfs.Sem, error) {
	if flag&os.O_CREATE != 0 {
		f, err := a.under.OpenSem(name, flag, perm, value)
		if err != nil {
			return nil, err
		}
		f.Close()
		flag &^= os.O_CREATE | os.O_EXCL
	}
	n, err := backend.CleanName("sem", name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := a.OpenFile("sem/"+n, flag, perm)
	if err != nil {
		return nil, err
	}
	return f.(ipcfs.Sem), nil
}

func (a *aferoNS) Chmod(name string, mode fs.FileMode) error {
	p, err := a.path("chmod", name)
	if err != nil {
		return err
	}
	return a.afs.Chmod(p, mode)
}

func (a *aferoNS) Chown(name string, uid, gid int) error {
	p, err := a.path("chown", name)
	if err != nil {
		return err
	}
	return a.afs.Chown(p, uid, gid)
}

func (a *aferoNS) Chtimes(name string, atime, mtime time.Time) error {
	p, err := a.path("chtimes", name)
	if err != nil {
		return err
	}
	return a.afs.Chtimes(p, atime, mtime)
}
