//go:build !linux

package main

// demoLock is a no-op where the demo's objects are not files with locks:
// stale objects are never removed there.
type demoLock struct{}

func demoAcquireLock(base string) (*demoLock, error) { return &demoLock{}, nil }

// demoTryLock never proves a run over.
func demoTryLock(base string) *demoLock { return nil }

func (l *demoLock) release() error { return nil }
