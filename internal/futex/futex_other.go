//go:build !linux

package futex

import (
	"errors"
	"time"
)

// Wait is unsupported outside Linux.
func Wait(addr *uint32, val uint32, timeout time.Duration) error { return errors.ErrUnsupported }

// Wake is unsupported outside Linux.
func Wake(addr *uint32, n int) (int, error) { return 0, errors.ErrUnsupported }

// Sleepers is unsupported outside Linux.
func Sleepers(addr *uint32) (int, error) { return 0, errors.ErrUnsupported }
