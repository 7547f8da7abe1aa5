// Package sys holds what the other ipcfs packages share at the system-call
// level: the errno values portable code names (below), Retry (the one EINTR
// loop), and the calls every kind of object uses on its host file (Chmod,
// Chown and Chtimes through an O_PATH descriptor, so a planted symlink is
// never followed; FdTableFull).
//
// plan9 has no syscall.Errno (its errors are syscall.ErrorString values)
// and no EAGAIN, EFBIG, ENOSPC...; js and wasip1 have no O_NONBLOCK. On every
// other platform each errno name here is the syscall package's own value,
// so errors.Is(err, syscall.EAGAIN) and == keep working unchanged. On
// systems other than Linux the file calls fail with errors.ErrUnsupported.
package sys
