package fstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// TestNamespace checks that a Namespace implementation behaves as the host
// namespace does, in the spirit of testing/fstest.TestFS. newNS returns the
// namespace to test; it is called once per subtest, so a backend whose
// instances are independent (MemFS) may return a fresh one each time, and a
// shared one (the host's) may return the same value.
//
// Every shared behaviour is a subtest (run one with go test -run
// 'TestX/Queue'): paths and directories, flags and existence errors, name
// rules, shared memory growth and reads past the end, message priority
// order, full and empty queues blocking with deadlines, contexts and
// non-blocking mode, short buffers keeping messages, notifications,
// semaphore counting, limits and timeouts, the one rule for past deadlines
// and done contexts, close semantics, error identities (errors.Is with the
// fs sentinels, ipcfs.ErrWouldBlock, os.ErrDeadlineExceeded, context errors,
// fs.ErrPermission for a handle used against its open flag; every error an
// *fs.PathError), handle names (the path or the POSIX name opened by),
// CreateTemp and its options, ReadDir and Stat, Remove, Chmod and Chtimes,
// and that Open only looks: fs.ReadFile, fs.Sub, fs.Glob,
// testing/fstest.TestFS and os.CopyFS over the namespace (restricted to the
// suite's own objects) end, read status texts, and take nothing. Failures are
// reported with t.Errorf, each saying what was expected and what came back,
// and the suite carries on, so one run lists everything that differs.
//
// The suite is safe to run against a namespace shared with other programs:
// it only touches objects it created, under names that are unique to the run
// (prefix "ipcfstest-"), removes every one of them (t.Cleanup), and keeps
// queues small (at most 10 messages of at most 256 bytes), with at most one
// queue of default attributes existing at a time. Waits that must time out
// use deadlines of a few milliseconds; waits that must finish fail the test
// after 10 seconds instead of hanging.
//
// To run it against your own backend:
//
//	func TestMyNamespace(t *testing.T) {
//		fstest.TestNamespace(t, func(t *testing.T) ipcfs.Namespace { return mybackend.New() })
//	}
//
// Notification subtests are skipped when the first Notify returns an error
// wrapping errors.ErrUnsupported (for example under qemu-user).
func TestNamespace(t *testing.T, newNS func(t *testing.T) ipcfs.Namespace) {
	t.Helper()
	for _, c := range suiteCases {
		t.Run(c.name, func(t *testing.T) {
			ns := newNS(t)
			if ns == nil {
				t.Fatal("newNS returned nil")
			}
			c.run(&suite{T: t, ns: ns})
		})
	}
}

type suiteCase struct {
	name string
	run  func(s *suite)
}

// suiteCases lists every subtest, in the order they run. Each kind's file
// appends its own (init order is file name order, so the list is stable).
var suiteCases []suiteCase

func addCases(cs ...suiteCase) { suiteCases = append(suiteCases, cs...) }

// Timeouts of the suite: short is a deadline that must expire, long the
// most a wait that must finish may take before the suite calls it hung.
const (
	short = 20 * time.Millisecond
	long  = 10 * time.Second
)

// bg is the context of calls that must not be cancelled.
var bg = context.Background()

// Small queue attributes, within every host's unprivileged limits.
var smallAttr = ipcfs.MqAttr{MaxMessages: 4, MessageSize: 64}

// suite is the state of one subtest.
type suite struct {
	*testing.T
	ns ipcfs.Namespace
}

var uniqueCounter atomic.Uint64

// unique returns an object name no other run or subtest uses.
func (s *suite) unique() string {
	return fmt.Sprintf("ipcfstest-%d-%08x-%d", os.Getpid(), rand.Uint32(), uniqueCounter.Add(1))
}

// cleanup removes dir/name at the end of the subtest. Removing an object
// the test already removed is fine.
func (s *suite) cleanup(dir, name string) {
	p := dir + "/" + strings.TrimPrefix(name, "/")
	s.Cleanup(func() {
		if err := s.ns.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.Errorf("cleanup: Remove(%q) = %v", p, err)
		}
	})
}

// closeLater closes c at the end of the subtest, ignoring errors (the test
// may have closed it already).
func (s *suite) closeLater(c io.Closer) {
	s.Cleanup(func() { c.Close() })
}

// createShm creates a new segment (O_RDWR|O_CREATE|O_EXCL) and schedules its
// removal; it stops the subtest if that fails.
func (s *suite) createShm(size int64) (string, ipcfs.Shm) {
	s.Helper()
	name := s.unique()
	f, err := s.ns.OpenShm("/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, size)
	if err != nil {
		s.Fatalf("OpenShm(%q, O_RDWR|O_CREATE|O_EXCL, 0600, %d) = %v; want a new segment", "/"+name, size, err)
	}
	s.cleanup("shm", name)
	s.closeLater(f)
	return name, f
}

// createMq creates a new queue with attr (nil: smallAttr).
func (s *suite) createMq(attr *ipcfs.MqAttr) (string, ipcfs.Mq) {
	s.Helper()
	if attr == nil {
		attr = &smallAttr
	}
	name := s.unique()
	f, err := s.ns.OpenMq("/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, attr)
	if err != nil {
		s.Fatalf("OpenMq(%q, O_RDWR|O_CREATE|O_EXCL, 0600, %+v) = %v; want a new queue", "/"+name, *attr, err)
	}
	s.cleanup("mq", name)
	s.closeLater(f)
	return name, f
}

// createSem creates a new semaphore with value.
func (s *suite) createSem(value uint32) (string, ipcfs.Sem) {
	s.Helper()
	name := s.unique()
	f, err := s.ns.OpenSem("/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, value)
	if err != nil {
		s.Fatalf("OpenSem(%q, O_RDWR|O_CREATE|O_EXCL, 0600, %d) = %v; want a new semaphore", "/"+name, value, err)
	}
	s.cleanup("sem", name)
	s.closeLater(f)
	return name, f
}

// ok reports an unexpected error of call.
func (s *suite) ok(call string, err error) bool {
	s.Helper()
	if err != nil {
		s.Errorf("%s = %v; want no error", call, err)
		return false
	}
	return true
}

// wantErr checks that err is an *fs.PathError for which errors.Is(err,
// target) holds.
func (s *suite) wantErr(call string, err, target error) {
	s.Helper()
	if err == nil {
		s.Errorf("%s succeeded; want an error matching %s", call, describe(target))
		return
	}
	if !errors.Is(err, target) {
		s.Errorf("%s = %v; want an error matching errors.Is(err, %v)", call, err, describe(target))
	}
	s.wantPathError(call, err)
}

// wantOpPath checks that err is an *fs.PathError naming the caller's verb
// and the path exactly as the caller gave it, as os does.
func (s *suite) wantOpPath(call string, err error, op, path string) {
	s.Helper()
	var pe *fs.PathError
	if errors.As(err, &pe) && (pe.Op != op || pe.Path != path) {
		s.Errorf("%s error has Op %q, Path %q; want Op %q, Path %q (the caller's verb and path)", call, pe.Op, pe.Path, op, path)
	}
}

// wantDirection checks that err is the error of a call the handle's access
// mode does not allow: fs.ErrPermission (posix_ipc's PermissionsError) with
// the kernel's EBADF reachable, in an *fs.PathError.
func (s *suite) wantDirection(call string, err error) {
	s.Helper()
	s.wantErr(call, err, fs.ErrPermission)
	if err != nil && !errors.Is(err, sys.EBADF) {
		s.Errorf("%s = %v; want errors.Is(err, syscall.EBADF) too (the kernel's errno)", call, err)
	}
}

// wantInvalid checks that err is an *fs.PathError for an invalid argument:
// either the raw EINVAL the kernel gives or fs.ErrInvalid.
func (s *suite) wantInvalid(call string, err error) {
	s.Helper()
	if err == nil {
		s.Errorf("%s succeeded; want EINVAL or fs.ErrInvalid", call)
		return
	}
	if !errors.Is(err, syscall.EINVAL) && !errors.Is(err, fs.ErrInvalid) {
		s.Errorf("%s = %v; want an error matching syscall.EINVAL or fs.ErrInvalid", call, err)
	}
	s.wantPathError(call, err)
}

// wantParam checks that err is the host's error for a bad argument the
// library itself refuses: an *fs.PathError matching both fs.ErrInvalid and
// syscall.EINVAL, whose message contains every one of mentions (the
// parameter and the values involved). The host and its twin give the same
// text; a backend that only passes the kernel's bare EINVAL through fails.
func (s *suite) wantParam(call string, err error, mentions ...string) {
	s.Helper()
	if err == nil {
		s.Errorf("%s succeeded; want an invalid-argument error", call)
		return
	}
	if !errors.Is(err, fs.ErrInvalid) || !errors.Is(err, syscall.EINVAL) {
		s.Errorf("%s = %v; want an error matching both fs.ErrInvalid and syscall.EINVAL", call, err)
	}
	s.wantMentions(call, err, mentions...)
	s.wantPathError(call, err)
}

// wantMentions checks that err's message contains every one of mentions.
func (s *suite) wantMentions(call string, err error, mentions ...string) {
	s.Helper()
	for _, m := range mentions {
		if err != nil && !strings.Contains(err.Error(), m) {
			s.Errorf("%s = %q; want a message that mentions %q", call, err, m)
		}
	}
}

// wantPathError checks that err is, or wraps, an *fs.PathError.
func (s *suite) wantPathError(call string, err error) {
	s.Helper()
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		s.Errorf("%s = %v (%T); want an *fs.PathError", call, err, err)
	}
}

// wantAnyErr checks that call failed with an *fs.PathError.
func (s *suite) wantAnyErr(call string, err error) {
	s.Helper()
	if err == nil {
		s.Errorf("%s succeeded; want an error", call)
		return
	}
	s.wantPathError(call, err)
}

func describe(target error) string {
	switch target {
	case fs.ErrNotExist:
		return "fs.ErrNotExist"
	case fs.ErrExist:
		return "fs.ErrExist"
	case fs.ErrInvalid:
		return "fs.ErrInvalid"
	case fs.ErrClosed:
		return "fs.ErrClosed"
	case fs.ErrPermission:
		return "fs.ErrPermission"
	case os.ErrDeadlineExceeded:
		return "os.ErrDeadlineExceeded"
	case ipcfs.ErrWouldBlock:
		return "ipcfs.ErrWouldBlock"
	case ipcfs.ErrBusy:
		return "ipcfs.ErrBusy"
	}
	return fmt.Sprintf("%v", target)
}

// unsupported reports whether err says the backend lacks the feature
// (errors.ErrUnsupported), for subtests that then skip.
func unsupported(err error) bool { return errors.Is(err, errors.ErrUnsupported) }

// await waits for done to be closed or to deliver, failing the subtest
// (without hanging) after long.
func (s *suite) await(what string, done <-chan struct{}) bool {
	s.Helper()
	select {
	case <-done:
		return true
	case <-time.After(long):
		s.Errorf("%s did not return within %v", what, long)
		return false
	}
}

// baseName returns the object name inside a File's Name: "/x" (the host,
// MemFS) and "/mq/x" (a mount) both give "x".
func baseName(name string) string { return path.Base(name) }
