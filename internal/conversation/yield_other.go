//go:build !linux

package conversation

import "runtime"

// yield lets other goroutines run; see yield_linux.go.
func yield() { runtime.Gosched() }
