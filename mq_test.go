//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of opening, removing, stat'ing and closing queues (mq.go).

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMqFdPollsReadableWhenAMessageArrives checks posix_ipc's use of
// fileno() with select: the descriptor Fd returns is a real queue
// descriptor that poll reports readable once a message is queued, and not
// before.
func TestMqFdPollsReadableWhenAMessageArrives(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	poll := func() int16 {
		t.Helper()
		fds := []unix.PollFd{{Fd: int32(q.Fd()), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				t.Fatalf("poll: %v", err)
			}
			return fds[0].Revents
		}
	}
	if r := poll(); r&unix.POLLIN != 0 {
		t.Fatalf("empty queue polls readable (revents %#x)", r)
	}
	mqSend(t, q, "x", 0)
	if r := poll(); r&unix.POLLIN == 0 {
		t.Fatalf("queue with a message does not poll readable (revents %#x)", r)
	}
	if msg, _ := mqRecv(t, q); msg != "x" {
		t.Errorf("received %q; want \"x\"", msg)
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

func TestMqInvalidParametersGiveClearErrors(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	name := uniqueName(t)
	tests := []struct {
		what string
		err  error
		want string
	}{
		{"send priority", q.Send(context.Background(), []byte("x"), MqPriorityMax+1), "priority 32768"},
		{"set priority", q.SetPriority(40000), "priority 40000"},
		{"negative max messages", mqOpenErr(name, &MqAttr{MaxMessages: -1, MessageSize: 8}), "MaxMessages -1"},
		{"negative message size", mqOpenErr(name, &MqAttr{MaxMessages: 1, MessageSize: -5}), "MessageSize -5"},
		{"O_TRUNC flag", mqOpenErrFlag(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC), "flag"},
		{"O_WRONLY|O_RDWR", mqOpenErrFlag(name, os.O_WRONLY|os.O_RDWR|os.O_CREATE), "O_WRONLY and O_RDWR"},
		{"name with slash", mqOpenErrFlag("/a/b", os.O_RDWR|os.O_CREATE), "'/'"},
		{"empty name", mqOpenErrFlag("/", os.O_RDWR|os.O_CREATE), "empty"},
		{"nil callback", q.Notify(nil), "fn is nil"},
		{"reserved signal", q.NotifySignal(syscall.Signal(33)), "reserved"},
		{"signal out of range", q.NotifySignal(syscall.Signal(65)), "outside"},
	}
	for _, tt := range tests {
		var pe *fs.PathError
		if !errors.As(tt.err, &pe) || !errors.Is(tt.err, fs.ErrInvalid) || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: %v; want a PathError with fs.ErrInvalid mentioning %q", tt.what, tt.err, tt.want)
		}
	}
	if _, err := OpenMq(name, os.O_RDONLY, 0, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused OpenMq created the queue: %v", err)
	}
}

func mqOpenErr(name string, attr *MqAttr) error {
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, attr)
	if err == nil {
		q.Close()
		RemoveMq(name)
	}
	return err
}

func mqOpenErrFlag(name string, flag int) error {
	q, err := OpenMq(name, flag, 0o600, &mqSmall)
	if err == nil {
		q.Close()
		RemoveMq(name)
	}
	return err
}

func TestMqOpenErrors(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	if _, err := OpenMq(uniqueName(t), os.O_RDWR, 0, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open missing: %v, want fs.ErrNotExist", err)
	}
	_, err := OpenMq(q.Name(), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &mqSmall)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) || pe.Op != "open" || pe.Path != q.Name() {
		t.Errorf("O_EXCL on existing: %v, want PathError{open, %s, EEXIST}", err, q.Name())
	}
	// Without the leading slash the name is the same queue.
	q2, err := OpenMq(strings.TrimPrefix(q.Name(), "/"), os.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	mqSend(t, q, "same", 0)
	if msg, _ := mqRecv(t, q2); msg != "same" {
		t.Errorf("second handle got %q", msg)
	}
	// A read-only handle cannot send, a write-only one cannot receive.
	if err := q2.Send(context.Background(), []byte("x"), 0); !errors.Is(err, syscall.EBADF) {
		t.Errorf("send on O_RDONLY: %v, want EBADF", err)
	}
	if err := RemoveMq(uniqueName(t)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveMq missing: %v, want fs.ErrNotExist", err)
	}
}

func TestMqNilAttrGivesSystemDefaults(t *testing.T) {
	name := uniqueName(t)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer RemoveMq(name)
	defer q.Close()
	l, err := ReadMqLimits()
	if err != nil {
		t.Fatal(err)
	}
	a, err := q.Attr()
	if err != nil {
		t.Fatal(err)
	}
	if a.MaxMessages != min(l.DefaultMaxMessages, l.MaxMessagesLimit) || a.MessageSize != min(l.DefaultMessageSize, l.MessageSizeLimit) {
		t.Errorf("Attr = %+v, want the defaults of %+v", a, l)
	}
	if MqMaxMessagesDefault() != l.MaxMessagesLimit || MqMessageSizeDefault() != min(8192, l.MessageSizeLimit) {
		t.Errorf("QueueMessagesMaxDefault() = %d, QueueMessageSizeMaxDefault() = %d; limits %+v",
			MqMaxMessagesDefault(), MqMessageSizeDefault(), l)
	}
}

func TestMqUseAfterCloseIsErrClosed(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	calls := map[string]error{
		"Close":          q.Close(),
		"Read":           func() error { _, err := q.Read(buf); return err }(),
		"Write":          func() error { _, err := q.Write(buf[:1]); return err }(),
		"Send":           q.Send(context.Background(), buf[:1], 0),
		"Receive":        func() error { _, _, err := q.Receive(context.Background(), buf); return err }(),
		"Attr":           func() error { _, err := q.Attr(); return err }(),
		"Stat":           func() error { _, err := q.Stat(); return err }(),
		"SetDeadline":    q.SetDeadline(time.Now()),
		"SetNonblocking": q.SetNonblocking(true),
		"SetPriority":    q.SetPriority(1),
		"Notify":         q.Notify(func() {}),
		"NotifySignal":   q.NotifySignal(syscall.Signal(40)),
		"CancelNotify":   q.CancelNotify(),
		"SyscallConn":    func() error { _, err := q.SyscallConn(); return err }(),
		"ReadFrom":       func() error { _, err := q.ReadFrom(strings.NewReader("x")); return err }(),
	}
	for name, err := range calls {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s after Close: %v, want fs.ErrClosed", name, err)
		}
	}
	var nilQ *MqFile
	if _, err := nilQ.Read(buf); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Read on nil *MqFile: %v, want fs.ErrInvalid", err)
	}
	if err := nilQ.Close(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Close on nil *MqFile: %v, want fs.ErrInvalid", err)
	}
}

func TestMqStatAndAttrDescribeTheQueue(t *testing.T) {
	q := mqCreate(t, 0, MqAttr{MaxMessages: 5, MessageSize: 32})
	mqSend(t, q, "12345", 0)
	mqSend(t, q, "abc", 2)
	fi, err := q.Stat()
	if err != nil {
		t.Fatal(err)
	}
	info, ok := fi.Sys().(MqInfo)
	const status = "max_messages 5\nmessage_size 32\ncurrent_messages 2\nbytes 8\n"
	if fi.Name() != q.Name()[1:] || fi.Size() != int64(len(status)) || fi.Mode() != 0o600 || !ok ||
		info.Attr != (MqAttr{MaxMessages: 5, MessageSize: 32, CurMessages: 2}) || info.Bytes != 8 || info.Status() != status {
		t.Errorf("Stat = name %q size %d mode %v sys %+v; want size %d (the length of %q), a regular file", fi.Name(), fi.Size(), fi.Mode(), fi.Sys(), len(status), status)
	}
	if _, ok := info.Stat.(*syscall.Stat_t); !ok {
		t.Errorf("MqInfo.Stat = %T, want *syscall.Stat_t", info.Stat)
	}
	// The namespace's view, through statMq.
	ns := New()
	fi2, err := ns.Stat("mq" + q.Name())
	if err != nil {
		t.Fatal(err)
	}
	if fi2.Size() != int64(len(status)) || fi2.Mode() != 0o600 || fi2.Sys().(MqInfo).Attr.MaxMessages != 5 || fi2.Sys().(MqInfo).Bytes != 8 {
		t.Errorf("FS.Stat = size %d mode %v sys %+v", fi2.Size(), fi2.Mode(), fi2.Sys())
	}
	entries, err := ns.ReadDir("mq")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Name() == q.Name()[1:]
	}
	if !found {
		t.Errorf("ReadDir(mq) does not list %s", q.Name())
	}
	if _, err := ns.Stat("mq/" + strings.TrimPrefix(uniqueName(t), "/")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing queue: %v, want fs.ErrNotExist", err)
	}
	// Stat without a handle in this process consumes nothing.
	name := uniqueName(t)
	if err := ns.Remove("mq" + q.Name()); err != nil {
		t.Fatal(err)
	}
	q3, err := OpenMq(name, os.O_WRONLY|os.O_CREATE, 0o640, &MqAttr{MaxMessages: 2, MessageSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer RemoveMq(name)
	q3.Write([]byte("xyz"))
	q3.Close()
	fi3, err := statMq(name)
	if err != nil || fi3.Sys().(MqInfo).Bytes != 3 || fi3.Sys().(MqInfo).Attr.CurMessages != 1 || fi3.Mode().Perm() != 0o640&^mqUmask() {
		t.Errorf("statMq = %v, %v", fi3, err)
	}
	if fi3, _ = statMq(name); fi3.Sys().(MqInfo).Attr.CurMessages != 1 {
		t.Errorf("statMq consumed a message")
	}
}
