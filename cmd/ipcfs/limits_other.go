//go:build !linux

package main

import (
	"errors"
	"os"

	"github.com/ipcfs/ipcfs"
)

// realHost returns the facts of this host: none but the queue limits, which
// report errors.ErrUnsupported themselves.
func realHost() *hostFacts {
	return &hostFacts{
		mqLimits:     ipcfs.ReadMqLimits,
		rlimit:       func() (uint64, uint64, error) { return 0, 0, errors.ErrUnsupported },
		shmUsage:     func() (diskUsage, error) { return diskUsage{}, errors.ErrUnsupported },
		ipcNamespace: func() string { return "" },
		uid:          os.Getuid,
	}
}
