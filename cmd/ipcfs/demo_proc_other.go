//go:build !linux

package main

import (
	"os"
	"syscall"
)

// demoSysProcAttr: only Linux can tie the child's life to the parent's.
func demoSysProcAttr() *syscall.SysProcAttr { return nil }

// demoIsTerminal reports false: plain progress lines.
func demoIsTerminal(fd uintptr) bool { return false }

// demoInterruptedExit reports whether the conclusion exited with 130.
func demoInterruptedExit(ps *os.ProcessState) bool { return ps != nil && ps.ExitCode() == 130 }
