//go:build !unix

package bench

// contextSwitches returns -1: this system has no getrusage.
func contextSwitches() int64 { return -1 }
