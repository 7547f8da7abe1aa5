package main

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// demoSysProcAttr makes the conclusion receive SIGKILL when the demo dies,
// however it dies.
func demoSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// demoProcessAlive reports whether a process with this pid exists.
func demoProcessAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || err == unix.EPERM
}

// demoIsTerminal reports whether fd is a terminal.
func demoIsTerminal(fd uintptr) bool {
	_, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
	return err == nil
}
