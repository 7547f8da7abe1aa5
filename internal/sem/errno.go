//go:build !plan9

package sem

import "syscall"

// errOverflow is what Post returns at ValueMax, as sem_post does.
var errOverflow error = syscall.EOVERFLOW
