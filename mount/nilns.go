//go:build !plan9

package mount

import (
	"io/fs"
	"time"

	"github.com/ipcfs/ipcfs"
)

// nilNamespace stands in for a nil ipcfs.Namespace given to New or At:
// every call fails with fs.ErrInvalid instead of panicking.
type nilNamespace struct{}

func invalid(op, p string) error { return &fs.PathError{Op: op, Path: p, Err: fs.ErrInvalid} }

func (nilNamespace) Open(p string) (fs.File, error)          { return nil, invalid("open", p) }
func (nilNamespace) ReadDir(p string) ([]fs.DirEntry, error) { return nil, invalid("readdir", p) }
func (nilNamespace) Stat(p string) (fs.FileInfo, error)      { return nil, invalid("stat", p) }
func (nilNamespace) Remove(p string) error                   { return invalid("remove", p) }
func (nilNamespace) Chmod(p string, _ fs.FileMode) error     { return invalid("chmod", p) }
func (nilNamespace) Chown(p string, _, _ int) error          { return invalid("chown", p) }
func (nilNamespace) Chtimes(p string, _, _ time.Time) error  { return invalid("chtimes", p) }
func (nilNamespace) CreateTemp(dir, _ string, _ ...ipcfs.TempOption) (ipcfs.File, error) {
	return nil, invalid("createtemp", dir)
}
func (nilNamespace) OpenFile(p string, _ int, _ fs.FileMode) (ipcfs.File, error) {
	return nil, invalid("open", p)
}
func (nilNamespace) OpenShm(n string, _ int, _ fs.FileMode, _ int64) (ipcfs.Shm, error) {
	return nil, invalid("open", n)
}
func (nilNamespace) OpenMq(n string, _ int, _ fs.FileMode, _ *ipcfs.MqAttr) (ipcfs.Mq, error) {
	return nil, invalid("open", n)
}
func (nilNamespace) OpenSem(n string, _ int, _ fs.FileMode, _ uint32) (ipcfs.Sem, error) {
	return nil, invalid("open", n)
}
