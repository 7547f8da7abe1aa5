//go:build js || wasip1

package ipcfs

// mqFlagNonblock stands in for O_NONBLOCK, which these platforms' syscall
// packages lack; queues are unsupported there anyway.
const mqFlagNonblock = 0o4000
