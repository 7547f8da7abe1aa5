package ipcfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"testing"
)

// TestNilReaderOrWriterIsErrInvalidAndLosesNothing checks that the stream
// copies refuse a nil io.Reader or io.Writer with a *fs.PathError matching
// fs.ErrInvalid, before touching the object: no panic, and a queue keeps
// the message a WriteTo(nil) would otherwise have taken and dropped.
func TestNilReaderOrWriterIsErrInvalidAndLosesNothing(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	mqSend(t, q, "kept", 3)
	shm, _ := shmCreate(t, 8)
	for _, c := range []struct {
		call, op string
		fn       func() (int64, error)
	}{
		{"MqFile.WriteTo(nil)", "read", func() (int64, error) { return q.WriteTo(nil) }},
		{"MqFile.ReadFrom(nil)", "write", func() (int64, error) { return q.ReadFrom(nil) }},
		{"ShmFile.WriteTo(nil)", "read", func() (int64, error) { return shm.WriteTo(nil) }},
		{"ShmFile.ReadFrom(nil)", "write", func() (int64, error) { return shm.ReadFrom(nil) }},
	} {
		t.Run(c.call, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s panicked: %v", c.call, r)
				}
			}()
			n, err := c.fn()
			var pe *fs.PathError
			if n != 0 || !errors.As(err, &pe) || pe.Op != c.op || !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("%s = %d, %v; want 0 and a *fs.PathError{Op: %q} matching fs.ErrInvalid", c.call, n, err, c.op)
			}
		})
	}
	buf := make([]byte, mqSmall.MessageSize)
	q.SetNonblocking(true) // a lost message fails the test instead of hanging it
	if n, prio, err := q.Receive(context.Background(), buf); err != nil || string(buf[:n]) != "kept" || prio != 3 {
		t.Errorf("after WriteTo(nil) the queue gave %q at %d, %v; want \"kept\" at 3", buf[:n], prio, err)
	}
	if off, err := shm.Seek(0, io.SeekCurrent); off != 0 || err != nil {
		t.Errorf("offset after the refused copies = %d, %v; want 0", off, err)
	}
}

// TestMqFdIsInvalidAfterClose checks that a closed queue handle no longer
// hands out its old descriptor number (which the kernel may already have
// given to another file), as os.File.Fd does.
func TestMqFdIsInvalidAfterClose(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	if q.Fd() == ^uintptr(0) {
		t.Fatal("Fd of an open queue is ^uintptr(0)")
	}
	q.Close()
	if fd := q.Fd(); fd != ^uintptr(0) {
		t.Errorf("Fd after Close = %d; want ^uintptr(0)", fd)
	}
}

// TestSemDoWithNilFnTakesNothing checks that Do(ctx, nil) fails with
// fs.ErrInvalid instead of panicking inside the critical section, and leaves
// the value alone.
func TestSemDoWithNilFnTakesNothing(t *testing.T) {
	s := semCreate(t, 1)
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("Do(ctx, nil) panicked: %v", r)
			}
		}()
		err = s.Do(context.Background(), nil)
	}()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "do" || pe.Path != s.Name() || !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Do(ctx, nil) = %v; want *fs.PathError{Op: \"do\", Path: %q} matching fs.ErrInvalid", err, s.Name())
	}
	if v := semValue(t, s); v != 1 {
		t.Errorf("value after Do(ctx, nil) = %d; want 1", v)
	}
}

// TestCreateTempWithNilNamespaceIsErrInvalid checks the exported helper
// for Namespace implementations refuses a nil namespace instead of
// panicking.
func TestCreateTempWithNilNamespaceIsErrInvalid(t *testing.T) {
	f, err := CreateTemp(nil, "shm", "x*")
	if f != nil || !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("CreateTemp(nil, ...) = %v, %v; want nil and an error matching fs.ErrInvalid", f, err)
	}
}

// TestShmUnmappableSizeFailsAndChangesNothing checks that a resize to a
// size this process cannot map (tmpfs takes any sparse size, the address
// space does not) fails with an error and leaves the segment's size as it
// was, both through Truncate and through OpenShm's size argument.
func TestShmUnmappableSizeFailsAndChangesNothing(t *testing.T) {
	const huge = math.MaxInt64 / 2
	f, name := shmCreate(t, 10)
	if err := f.Truncate(huge); err == nil {
		t.Fatalf("Truncate(%d) succeeded; want an error (the size cannot be mapped)", int64(huge))
	}
	if n, err := f.Size(); n != 10 || err != nil {
		t.Errorf("Size after the failed Truncate = %d, %v; want 10", n, err)
	}
	g, err := OpenShm(name, os.O_RDWR, 0, huge)
	if err == nil {
		g.Close()
		t.Fatalf("OpenShm(size %d) succeeded; want an error", int64(huge))
	}
	if n, err := f.Size(); n != 10 || err != nil {
		t.Errorf("Size after the failed OpenShm = %d, %v; want 10", n, err)
	}
	if _, err := f.WriteAt([]byte("still works"), 0); err != nil {
		t.Errorf("WriteAt after the failed resizes: %v", err)
	}
}
