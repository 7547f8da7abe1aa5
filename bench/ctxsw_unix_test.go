//go:build unix

package bench

import "syscall"

// contextSwitches returns the context switches (voluntary and not) of every
// thread of this process so far, or -1 if getrusage fails.
func contextSwitches() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Nvcsw) + int64(ru.Nivcsw)
}
