//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package futex

import (
	"errors"
	"time"
)

// Wait is unsupported outside Linux.
func Wait(addr *uint32, val uint32, timeout time.Duration) error { return errors.ErrUnsupported }

// Wake is unsupported outside Linux.
func Wake(addr *uint32, n int) (int, error) { return 0, errors.ErrUnsupported }

// WakePrivate is unsupported outside Linux.
func WakePrivate(addr *uint32, n int) (int, error) { return 0, errors.ErrUnsupported }

// Shared returns an empty entry outside Linux.
func Shared(addr *uint32, val uint32) Waitv { return Waitv{} }

// Private returns an empty entry outside Linux.
func Private(addr *uint32, val uint32) Waitv { return Waitv{} }

// WaitMultiple is unsupported outside Linux.
func WaitMultiple(ws []Waitv, deadline *Timespec) (int, error) { return 0, errors.ErrUnsupported }

// WaitvSupported reports false outside Linux.
func WaitvSupported() bool { return false }

// Monotonic returns the zero time outside Linux.
func Monotonic(d time.Duration) Timespec { return Timespec{} }

// Transient reports whether err is nil outside Linux.
func Transient(err error) bool { return err == nil }

// Sleepers is unsupported outside Linux.
func Sleepers(addr *uint32) (int, error) { return 0, errors.ErrUnsupported }
