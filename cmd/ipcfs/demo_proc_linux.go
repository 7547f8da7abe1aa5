package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// demoSysProcAttr makes the conclusion receive SIGKILL when the demo dies,
// however it dies.
func demoSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// demoIsTerminal reports whether fd is a terminal.
func demoIsTerminal(fd uintptr) bool {
	_, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
	return err == nil
}

// demoInterruptedExit reports whether the conclusion ended because of
// Ctrl-C: killed by SIGINT or SIGTERM (before its handler was in place), or
// exited with 130 (after).
func demoInterruptedExit(ps *os.ProcessState) bool {
	if ps == nil {
		return false
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal() == syscall.SIGINT || ws.Signal() == syscall.SIGTERM
	}
	return ps.ExitCode() == 130
}
