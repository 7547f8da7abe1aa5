//go:build !js && !wasip1

package ipcfs

import "syscall"

// mqFlagNonblock is the open flag that makes a queue handle non-blocking.
const mqFlagNonblock = syscall.O_NONBLOCK
