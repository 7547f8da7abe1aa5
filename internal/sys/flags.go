//go:build !js && !wasip1 && !plan9

package sys

import "syscall"

// O_NONBLOCK is the open flag for non-blocking mode.
const O_NONBLOCK = syscall.O_NONBLOCK
