//go:build unix

package sys

import "syscall"

// UserSignal reports whether n is SIGUSR1 or SIGUSR2, the signals POSIX
// leaves to the program.
func UserSignal(n int) bool { return n == int(syscall.SIGUSR1) || n == int(syscall.SIGUSR2) }
