//go:build !unix

package sys

// UserSignal reports false: there are no SIGUSR1 and SIGUSR2 here.
func UserSignal(int) bool { return false }
