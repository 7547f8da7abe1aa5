//go:build !plan9

package mount

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/spf13/afero"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// AsNamespace returns the namespace ns as code using the afero.Fs fsys
// sees it, where fsys has ns mounted at dir: New(ns) with dir "/", or
// At(base, dir, ns). It is an ipcfs.Namespace whose every call goes through
// fsys, with the namespace path ("mq/jobs") taken below dir, so that
// fstest.TestNamespace can check a mount the way it checks a namespace:
//
//	func TestMountedNamespace(t *testing.T) {
//		fstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
//			ns := fstest.NewMemFS() // or ipcfs.New()
//			fsys := mount.At(afero.NewMemMapFs(), "/run/app/ipc", ns)
//			return mount.AsNamespace(fsys, "/run/app/ipc", ns)
//		})
//	}
//
// What an afero.Fs cannot say is done on ns itself, and the object is then
// opened through fsys: creating a segment with a size, a queue with
// attributes or a semaphore with a value (OpenShm, OpenMq, OpenSem), and
// CreateTemp with options. Files keep what fsys gives them, except their
// names: a file opened by path reports that path (Name "mq/jobs") and one
// opened by POSIX name reports "/jobs", as the namespaces do, and so do
// their errors. Files fsys opens that are not ipcfs files (a wrapper's own)
// give an error wrapping errors.ErrUnsupported. A nil fsys or ns makes
// every call fail with fs.ErrInvalid.
func AsNamespace(fsys afero.Fs, dir string, ns ipcfs.Namespace) ipcfs.Namespace {
	if fsys == nil {
		fsys = New(nil)
	}
	return &aferoNS{afs: fsys, dir: cleanAbs(dir), under: orNil(ns)}
}

// aferoNS is a namespace seen through an afero.Fs; see AsNamespace.
type aferoNS struct {
	afs   afero.Fs
	dir   string // the mount point, clean and absolute
	under ipcfs.Namespace
}

var _ ipcfs.Namespace = (*aferoNS)(nil)

// path returns the afero path of the namespace path name.
func (a *aferoNS) path(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(a.dir, name), nil
}

// unmap gives an error about the afero path p back the namespace path name
// the caller used, as a Namespace reports it.
func (a *aferoNS) unmap(p, name string, err error) error {
	if pe, ok := err.(*fs.PathError); ok && pe.Path == p {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

// named makes a file of the mount report name (its namespace path or POSIX
// name) instead of its afero path.
func named[F any](f F, name string) F {
	if h, ok := any(f).(interface{ setName(string) }); ok {
		h.setName(name)
	}
	return f
}

// Open opens name through fsys's Open, which only looks (see New's Open).
func (a *aferoNS) Open(name string) (fs.File, error) {
	p, err := a.path("open", name)
	if err != nil {
		return nil, err
	}
	f, err := a.afs.Open(p)
	if err != nil {
		return nil, a.unmap(p, name, err)
	}
	return named(f, name), nil
}

// OpenFile opens name through fsys's OpenFile, for I/O.
func (a *aferoNS) OpenFile(name string, flag int, perm fs.FileMode) (ipcfs.File, error) {
	p, err := a.path("open", name)
	if err != nil {
		return nil, err
	}
	f, err := a.afs.OpenFile(p, flag, perm)
	if err != nil {
		return nil, a.unmap(p, name, err)
	}
	file, ok := f.(ipcfs.File)
	if !ok {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
	}
	return named(file, name), nil
}

// ReadDir lists name through fsys.
func (a *aferoNS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := a.path("readdir", name)
	if err != nil {
		return nil, err
	}
	f, err := a.afs.Open(p)
	if err != nil {
		return nil, a.unmap(p, name, err)
	}
	defer f.Close()
	if d, ok := f.(fs.ReadDirFile); ok {
		list, err := d.ReadDir(-1)
		return list, a.unmap(p, name, err)
	}
	infos, err := f.Readdir(-1)
	if err != nil {
		return nil, a.unmap(p, name, err)
	}
	list := make([]fs.DirEntry, len(infos))
	for i, fi := range infos {
		list[i] = fs.FileInfoToDirEntry(fi)
	}
	return list, nil
}

// Stat stats name through fsys.
func (a *aferoNS) Stat(name string) (fs.FileInfo, error) {
	p, err := a.path("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := a.afs.Stat(p)
	return fi, a.unmap(p, name, err)
}

// Remove removes name through fsys.
func (a *aferoNS) Remove(name string) error {
	p, err := a.path("remove", name)
	if err != nil {
		return err
	}
	return a.unmap(p, name, a.afs.Remove(p))
}

// CreateTemp creates the object on ns when opts ask for what afero cannot
// say (a size, attributes, a value), else through fsys's OpenFile, and
// opens it through fsys; the file's Name is its namespace path.
func (a *aferoNS) CreateTemp(dir, pattern string, opts ...ipcfs.TempOption) (ipcfs.File, error) {
	o := ipcfs.NewTempOptions(opts...)
	return backend.CreateTemp(dir, pattern, func(p string) (ipcfs.File, error) {
		flag := os.O_RDWR | os.O_CREATE | os.O_EXCL
		if o.Size != 0 || o.Attr != nil || o.Value != 0 {
			_, name, _ := backend.SplitPath("open", p)
			if err := a.createUnder(dir, name, flag, o); err != nil {
				return nil, relabel(p, err)
			}
			flag = os.O_RDWR
		}
		return a.OpenFile(p, flag, o.Perm)
	})
}

// createUnder creates the object name of kind dir on the namespace behind
// the mount with what o says, and closes it.
func (a *aferoNS) createUnder(dir, name string, flag int, o ipcfs.TempOptions) error {
	var f ipcfs.File
	var err error
	switch dir {
	case kind.Shm.Dir:
		f, err = a.under.OpenShm(name, flag, o.Perm, o.Size)
	case kind.Mq.Dir:
		f, err = a.under.OpenMq(name, flag, o.Perm, o.Attr)
	default:
		f, err = a.under.OpenSem(name, flag, o.Perm, o.Value)
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// relabel returns err (an *fs.PathError about some name) about p.
func relabel(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	return err
}

// OpenShm creates the segment on ns when flag has os.O_CREATE or size > 0
// (afero cannot say a size), then opens it through fsys.
func (a *aferoNS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (ipcfs.Shm, error) {
	n, err := backend.CleanName("shm", name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if flag&os.O_CREATE != 0 || size > 0 {
		f, err := a.under.OpenShm(name, flag, perm, size)
		if err != nil {
			return nil, err
		}
		f.Close()
		flag &^= os.O_TRUNC
	}
	f, err := a.openNamed("shm", n, name, flag&^(os.O_CREATE|os.O_EXCL), perm)
	if err != nil {
		return nil, err
	}
	s, ok := f.(ipcfs.Shm)
	if !ok {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
	}
	return s, nil
}

// OpenMq creates the queue on ns when flag has os.O_CREATE and attr is set
// (afero cannot say attributes), then opens it through fsys.
func (a *aferoNS) OpenMq(name string, flag int, perm fs.FileMode, attr *ipcfs.MqAttr) (ipcfs.Mq, error) {
	n, err := backend.CleanName("mq", name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if flag&os.O_CREATE != 0 && attr != nil {
		f, err := a.under.OpenMq(name, flag, perm, attr)
		if err != nil {
			return nil, err
		}
		f.Close()
		flag &^= os.O_CREATE | os.O_EXCL
	}
	f, err := a.openNamed("mq", n, name, flag, perm)
	if err != nil {
		return nil, err
	}
	q, ok := f.(ipcfs.Mq)
	if !ok {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
	}
	return q, nil
}

// OpenSem creates the semaphore on ns when flag has os.O_CREATE (afero
// cannot say a value), then opens it through fsys.
func (a *aferoNS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (ipcfs.Sem, error) {
	n, err := backend.CleanName("sem", name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if flag&os.O_CREATE != 0 {
		f, err := a.under.OpenSem(name, flag, perm, value)
		if err != nil {
			return nil, err
		}
		f.Close()
		flag &^= os.O_CREATE | os.O_EXCL
	}
	f, err := a.openNamed("sem", n, name, flag, perm)
	if err != nil {
		return nil, err
	}
	s, ok := f.(ipcfs.Sem)
	if !ok {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
	}
	return s, nil
}

// openNamed opens the object with the clean name n in dir through fsys, as
// a named open does: the file reports "/n", errors carry name as given.
func (a *aferoNS) openNamed(dir, n, name string, flag int, perm fs.FileMode) (ipcfs.File, error) {
	f, err := a.OpenFile(dir+"/"+n, flag, perm)
	if err != nil {
		return nil, relabel(name, err)
	}
	return named(f, "/"+n), nil
}

// Chmod changes name's permission bits through fsys.
func (a *aferoNS) Chmod(name string, mode fs.FileMode) error {
	p, err := a.path("chmod", name)
	if err != nil {
		return err
	}
	return a.unmap(p, name, a.afs.Chmod(p, mode))
}

// Chown changes name's owner and group through fsys.
func (a *aferoNS) Chown(name string, uid, gid int) error {
	p, err := a.path("chown", name)
	if err != nil {
		return err
	}
	return a.unmap(p, name, a.afs.Chown(p, uid, gid))
}

// Chtimes changes name's times through fsys.
func (a *aferoNS) Chtimes(name string, atime, mtime time.Time) error {
	p, err := a.path("chtimes", name)
	if err != nil {
		return err
	}
	return a.unmap(p, name, a.afs.Chtimes(p, atime, mtime))
}
