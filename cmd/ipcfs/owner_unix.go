//go:build unix

package main

import "syscall"

// ownerOf returns the owner and group in a raw stat (the *syscall.Stat_t
// the host namespace puts in FileInfo.Sys), if raw is one.
func ownerOf(raw any) (uid, gid int64, ok bool) {
	if st, isStat := raw.(*syscall.Stat_t); isStat && st != nil {
		return int64(st.Uid), int64(st.Gid), true
	}
	return 0, 0, false
}
