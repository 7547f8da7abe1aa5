package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ipcfs/ipcfs/internal/kind"
	"golang.org/x/sys/unix"
)

// demoLock is a held flock on a demo run's lock file, /dev/shm/BASE-lock. A
// run takes its own before it creates anything and keeps it to the end;
// another run that can take it knows the owner is gone. flock belongs to the
// open file, not to a pid, so no PID namespace can fake or confuse it, and
// the kernel releases it when the owner dies. The descriptor is close-on-
// exec: the demo's second process does not inherit it.
type demoLock struct {
	fd   int
	path string
}

// demoLockPath returns the lock file of the run with base name base.
func demoLockPath(base string) string { return kind.ShmDir + base + "-lock" }

// demoAcquireLock creates and locks this run's lock file. Another run's
// sweep may remove the file between its creation and the lock (it could
// take the lock then, as for a dead run): the lock must hold the file that
// is at the path, so it tries again until it does.
func demoAcquireLock(base string) (*demoLock, error) {
	path := demoLockPath(base)
	for range 100 {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		if err := demoFlock(fd, unix.LOCK_EX); err != nil {
			unix.Close(fd)
			return nil, &fs.PathError{Op: "flock", Path: path, Err: err}
		}
		if demoSameFile(fd, path) {
			return &demoLock{fd: fd, path: path}, nil
		}
		unix.Close(fd)
	}
	return nil, fmt.Errorf("%s: removed by other demos 100 times in a row", path)
}

// demoTryLock takes the lock of the run base when its owner is gone, and
// returns nil when the lock is held (the run is alive), when there is no
// lock file to take (nothing proves the run over) or when it cannot be
// opened.
func demoTryLock(base string) *demoLock {
	path := demoLockPath(base)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	if demoFlock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil || !demoSameFile(fd, path) {
		unix.Close(fd)
		return nil
	}
	return &demoLock{fd: fd, path: path}
}

// release removes the lock file and then drops the lock. It is safe to call
// again, and on nil.
func (l *demoLock) release() error {
	if l == nil || l.fd < 0 {
		return nil
	}
	err := unix.Unlink(l.path)
	unix.Close(l.fd)
	l.fd = -1
	if err != nil {
		return &fs.PathError{Op: "remove", Path: l.path, Err: err}
	}
	return nil
}

// demoSameFile reports whether fd is the regular file at path.
func demoSameFile(fd int, path string) bool {
	var a, b unix.Stat_t
	return unix.Fstat(fd, &a) == nil && unix.Lstat(path, &b) == nil &&
		a.Dev == b.Dev && a.Ino == b.Ino && b.Mode&unix.S_IFMT == unix.S_IFREG
}

func demoFlock(fd, how int) error {
	for {
		err := unix.Flock(fd, how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
