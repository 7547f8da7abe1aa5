//go:build !linux

package conversation

import "runtime"

// Yield lets other goroutines run; see yield_linux.go.
func Yield() { runtime.Gosched() }
