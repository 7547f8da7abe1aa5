package ipcfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
)

func TestPathErrorMapsErrnos(t *testing.T) {
	cases := []struct {
		in    error
		want  []error
		inner error
	}{
		{syscall.EAGAIN, []error{ErrWouldBlock, syscall.EAGAIN}, ErrWouldBlock},
		{syscall.EBUSY, []error{ErrBusy, syscall.EBUSY}, ErrBusy},
		{syscall.ETIMEDOUT, []error{os.ErrDeadlineExceeded}, os.ErrDeadlineExceeded},
		{syscall.ENOENT, []error{fs.ErrNotExist}, syscall.ENOENT},
		{syscall.EEXIST, []error{fs.ErrExist}, syscall.EEXIST},
		{syscall.EACCES, []error{fs.ErrPermission}, syscall.EACCES},
	}
	for _, c := range cases {
		err := pathError("op", "shm/x", c.in)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op != "op" || pe.Path != "shm/x" {
			t.Fatalf("pathError(%v) = %#v; want a PathError for op shm/x", c.in, err)
		}
		if pe.Err != c.inner {
			t.Errorf("pathError(%v).Err = %v; want %v directly inside", c.in, pe.Err, c.inner)
		}
		for _, w := range c.want {
			if !errors.Is(err, w) {
				t.Errorf("errors.Is(pathError(%v), %v) = false", c.in, w)
			}
		}
	}
	if pathError("op", "p", nil) != nil {
		t.Error("pathError(nil) != nil")
	}
	inner := &fs.PathError{Op: "inner", Path: "q", Err: syscall.EPERM}
	if got := pathError("op", "p", inner); got != inner {
		t.Errorf("pathError wrapped an existing PathError: %v", got)
	}
}

func TestMqueueNotMountedIsUnsupported(t *testing.T) {
	if !errors.Is(ErrMqueueNotMounted, errors.ErrUnsupported) {
		t.Fatal("ErrMqueueNotMounted does not wrap errors.ErrUnsupported")
	}
	var errno syscall.Errno
	if !errors.As(ErrWouldBlock, &errno) || errno != syscall.EAGAIN {
		t.Fatalf("errors.As(ErrWouldBlock, errno) = %v", errno)
	}
}
