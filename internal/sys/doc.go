// Package sys names the syscall values that ipcfs's portable code uses but
// some GOOS's syscall package lacks: plan9 has no syscall.Errno (its errors
// are syscall.ErrorString values) and no EAGAIN, EFBIG, ENOSPC...; js and
// wasip1 have no O_NONBLOCK. On every other platform each name here is the
// syscall package's own value, so errors.Is(err, syscall.EAGAIN) and == keep
// working unchanged.
package sys
