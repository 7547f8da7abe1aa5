package fstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sys"
)

func init() {
	addCases(
		suiteCase{"SemaphoreCounting", testSemCounting},
		suiteCase{"SemaphoreBlocking", testSemBlocking},
		suiteCase{"SemaphoreReadWrite", testSemReadWrite},
		suiteCase{"SemaphoreLimits", testSemLimits},
		suiteCase{"SemaphoreStatusCountsWaiters", testSemStatusWaiters},
	)
}

// semWaiters returns the waiters the namespace's Stat of sem/name reports,
// or -1.
func (s *suite) semWaiters(name string) int {
	s.Helper()
	fi, err := s.ns.Stat("sem/" + name)
	if !s.ok("Stat", err) {
		return -1
	}
	info, ok := fi.Sys().(ipcfs.SemInfo)
	if !ok {
		s.Errorf("Stat(sem).Sys() is %T; want ipcfs.SemInfo", fi.Sys())
		return -1
	}
	if fi.Size() != int64(len(info.Status())) {
		s.Errorf("Stat(sem).Size() = %d; want %d, the length of %q", fi.Size(), len(info.Status()), info.Status())
	}
	return info.Waiters
}

// testSemStatusWaiters checks that a semaphore's status counts the
// goroutines waiting on it (glibc's nwaiters), and drops them when they
// give up.
func testSemStatusWaiters(s *suite) {
	name, sem := s.createSem(0)
	if w := s.semWaiters(name); w != 0 {
		s.Errorf("a semaphore nobody waits on reports %d waiters; want 0", w)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sem.Acquire(ctx)
	}()
	deadline := time.Now().Add(long)
	for s.semWaiters(name) != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling for a state another goroutine reaches
	}
	if w := s.semWaiters(name); w != 1 {
		s.Errorf("with one goroutine in Acquire, the status reports %d waiters; want 1", w)
	}
	cancel()
	if s.await("Acquire after its context was cancelled", done) {
		if w := s.semWaiters(name); w != 0 {
			s.Errorf("after the waiter gave up, the status reports %d waiters; want 0", w)
		}
	}
}

func (s *suite) wantValue(what string, sem ipcfs.Sem, want int) {
	s.Helper()
	if v, err := sem.Value(); s.ok("Value", err) && v != want {
		s.Errorf("%s: Value() = %d; want %d", what, v, want)
	}
}

func testSemCounting(s *suite) {
	name, sem := s.createSem(2)
	s.wantValue("new semaphore with value 2", sem, 2)
	s.ok("TryAcquire", sem.TryAcquire())
	s.ok("Acquire", sem.Acquire(bg))
	s.wantValue("after two acquires", sem, 0)
	err := sem.TryAcquire()
	s.wantErr("TryAcquire at 0", err, ipcfs.ErrWouldBlock)
	if err != nil && !errors.Is(err, sys.EAGAIN) {
		s.Errorf("TryAcquire at 0 = %v; want it to match syscall.EAGAIN too", err)
	}
	s.ok("Release", sem.Release())
	s.ok("Release", sem.Release())
	s.ok("Release", sem.Release())
	s.wantValue("after three releases", sem, 3)

	// Another handle sees the same value; an existing semaphore keeps its
	// value when opened with another one.
	g, err := s.ns.OpenSem(name, os.O_RDWR|os.O_CREATE, 0o600, 9)
	if s.ok("open existing semaphore with value 9", err) {
		s.wantValue("second handle (value argument ignored)", g, 3)
		s.ok("TryAcquire through the second handle", g.TryAcquire())
		g.Close()
	}
	s.wantValue("after a second handle acquired", sem, 2)
	if fi, err := s.ns.Stat("sem/" + name); s.ok("Stat", err) {
		if info, ok := fi.Sys().(ipcfs.SemInfo); !ok || info.Value != 2 {
			s.Errorf("Stat(sem).Sys() = %#v; want ipcfs.SemInfo with Value 2", fi.Sys())
		}
	}
}

func testSemBlocking(s *suite) {
	name, sem := s.createSem(0)
	sem.SetDeadline(time.Now().Add(short))
	s.wantErr("Acquire at 0 with a deadline", sem.Acquire(bg), os.ErrDeadlineExceeded)
	_, err := sem.Read(make([]byte, 1))
	s.wantErr("Read at 0 after the deadline", err, os.ErrDeadlineExceeded)
	sem.SetReadDeadline(time.Time{})

	ctx, cancel := context.WithTimeout(bg, short)
	s.wantErr("Acquire at 0 with a context timeout", sem.Acquire(ctx), context.DeadlineExceeded)
	cancel()
	ctx, cancel = context.WithCancel(bg)
	cancel()
	s.wantErr("Acquire with a cancelled context", sem.Acquire(ctx), context.Canceled)
	s.wantValue("after waits cut short", sem, 0)

	// A blocked Acquire is woken by a Release through another handle.
	g, err := s.ns.OpenSem(name, 0, 0, 0)
	if !s.ok("open a second handle", err) {
		return
	}
	defer g.Close()
	done := make(chan struct{})
	var aerr error
	go func() {
		defer close(done)
		aerr = sem.Acquire(bg)
	}()
	s.ok("Release", g.Release())
	if s.await("Acquire blocked at 0, after a Release", done) {
		s.ok("blocked Acquire", aerr)
		s.wantValue("after the woken Acquire", sem, 0)
	}
}

func testSemReadWrite(s *suite) {
	_, sem := s.createSem(3)
	n, err := sem.Read(make([]byte, 5))
	if s.ok("Read(5 bytes) at value 3", err) && n != 3 {
		s.Errorf("Read(5 bytes) at value 3 took %d; want 3", n)
	}
	s.wantValue("after Read", sem, 0)
	if n, err := sem.Write(make([]byte, 4)); !s.ok("Write(4 bytes)", err) || n != 4 {
		s.Errorf("Write(4 bytes) = %d; want 4", n)
	}
	s.wantValue("after Write(4 bytes)", sem, 4)
	if n, err := io.CopyN(io.Discard, sem, 3); !s.ok("io.CopyN(io.Discard, sem, 3)", err) || n != 3 {
		s.Errorf("io.CopyN(io.Discard, sem, 3) = %d; want 3", n)
	}
	s.wantValue("after io.CopyN of 3", sem, 1)
}

func testSemLimits(s *suite) {
	_, sem := s.createSem(SemValueMax)
	s.wantValue("created at SemValueMax", sem, SemValueMax)
	err := sem.Release()
	s.wantErr("Release at SemValueMax", err, sys.EOVERFLOW)
	s.wantMentions("Release at SemValueMax", err, "SemValueMax")
	s.wantValue("after a refused Release", sem, SemValueMax)
	s.ok("TryAcquire", sem.TryAcquire())
	s.ok("Release back to SemValueMax", sem.Release())

	f, err := s.ns.OpenSem(s.unique(), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, SemValueMax+1)
	if err == nil {
		s.cleanup("sem", baseName(f.Name()))
		f.Close()
	}
	s.wantInvalid(fmt.Sprintf("create a semaphore with value %d", uint32(SemValueMax+1)), err)
	s.wantParam(fmt.Sprintf("create a semaphore with value %d", uint32(SemValueMax+1)), err, "value 2147483648")
}
