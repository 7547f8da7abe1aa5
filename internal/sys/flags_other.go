//go:build js || wasip1 || plan9

package sys

// O_NONBLOCK stands in for the open flag these platforms' syscall packages
// lack (or define as 0); it is Linux's value and collides with no os.O_* flag
// there.
const O_NONBLOCK = 0o4000
