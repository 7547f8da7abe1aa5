package ipcfs

import (
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"
)

// semCreate creates a new semaphore with a unique name and the given value;
// the test's cleanup closes and removes it.
func semCreate(t testing.TB, value uint32) *SemFile {
	t.Helper()
	name := uniqueName(t)
	s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, value)
	if err != nil {
		t.Fatalf("OpenSem(%q): %v", name, err)
	}
	t.Cleanup(func() { semCleanup(t, s) })
	return s
}

// semCleanup closes s (unless already closed) and removes its name.
func semCleanup(t testing.TB, s *SemFile) {
	if err := s.Close(); err != nil && !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Close: %v", err)
	}
	if err := RemoveSem(s.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveSem: %v", err)
	}
}

// semWaitFor polls cond until it holds, failing the test after 20 s.
func semWaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// semWaiters returns the semaphore's nwaiters (all processes): one per
// waiting goroutine here, one per waiting thread in C.
func semWaiters(s *SemFile) int { return int(s.h.Waiters()) }

// semWaiting returns the number of goroutines of this process waiting on
// the semaphore, through any handle.
func semWaiting(s *SemFile) int { return s.h.Object().Waiting() }

// semValue returns the value, failing the test on error.
func semValue(t testing.TB, s *SemFile) int {
	t.Helper()
	v, err := s.Value()
	if err != nil {
		t.Fatalf("Value: %v", err)
	}
	return v
}
