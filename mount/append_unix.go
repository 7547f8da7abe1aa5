//go:build unix

package mount

import (
	"io/fs"
	"syscall"
)

// fileID returns the device and inode of a host file's FileInfo.
func fileID(fi fs.FileInfo) (fileInfoID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st == nil {
		return fileInfoID{}, false
	}
	return fileInfoID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
