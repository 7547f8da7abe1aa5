package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/ipcfs/ipcfs"
)

func TestExitCodeMapsErrors(t *testing.T) {
	pe := func(err error) error {
		return &cliError{path: "mq/x", err: &fs.PathError{Op: "receive", Path: "/x", Err: err}}
	}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"usage", usagef("bad"), 2},
		{"deadline", pe(os.ErrDeadlineExceeded), 3},
		{"context deadline", pe(context.DeadlineExceeded), 3},
		{"would block", pe(ipcfs.ErrWouldBlock), 3},
		{"raw EAGAIN", pe(syscall.EAGAIN), 3},
		{"ETIMEDOUT", pe(syscall.ETIMEDOUT), 3},
		{"canceled", pe(context.Canceled), 130},
		{"interrupted", pe(&interruptedError{done: "sending 2 messages"}), 130},
		{"not exist", pe(fs.ErrNotExist), 1},
		{"other", errors.New("boom"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestErrorTextNamesPathAndCause(t *testing.T) {
	pe := func(err error) error { return &fs.PathError{Op: "open", Path: "/x", Err: err} }
	tests := []struct {
		err  error
		want string
	}{
		{pe(syscall.ENOENT), "shm/x: no such object"},
		{pe(fs.ErrExist), "shm/x: already exists"},
		{pe(syscall.EACCES), "shm/x: permission denied"},
		{pe(os.ErrDeadlineExceeded), "shm/x: timed out"},
		{context.DeadlineExceeded, "shm/x: timed out"},
		{pe(ipcfs.ErrWouldBlock), "shm/x: would block"},
		{context.Canceled, "shm/x: interrupted"},
		{&interruptedError{done: "releasing 3 of 9 units"}, "shm/x: interrupted after releasing 3 of 9 units"},
		{&hintError{pe(syscall.EEXIST), "a hint"}, "shm/x: already exists (a hint)"},
		{errors.New("bad \x1b[2Jname\n"), `shm/x: bad \x1b[2Jname\n`},
		{pe(syscall.EMSGSIZE), "shm/x: message too long"},
		{errors.New("plain"), "shm/x: plain"},
	}
	for _, tt := range tests {
		if got := errorText("shm/x", tt.err); got != tt.want {
			t.Errorf("errorText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
