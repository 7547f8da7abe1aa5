package main

import (
	"os"
	"strings"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
	"golang.org/x/sys/unix"
)

// realHost returns the facts of this host.
func realHost() *hostFacts {
	return &hostFacts{
		mqLimits: ipcfs.ReadMqLimits,
		rlimit: func() (uint64, uint64, error) {
			var r unix.Rlimit
			err := unix.Getrlimit(unix.RLIMIT_MSGQUEUE, &r)
			return r.Cur, r.Max, err
		},
		shmUsage: func() (diskUsage, error) {
			var st unix.Statfs_t
			if err := unix.Statfs(strings.TrimSuffix(kind.ShmDir, "/"), &st); err != nil {
				return diskUsage{}, err
			}
			bs := uint64(st.Bsize)
			return diskUsage{size: st.Blocks * bs, used: (st.Blocks - st.Bfree) * bs, available: st.Bavail * bs}, nil
		},
		ipcNamespace: func() string {
			ns, _ := os.Readlink("/proc/self/ns/ipc")
			return ns
		},
		uid: os.Getuid,
	}
}
