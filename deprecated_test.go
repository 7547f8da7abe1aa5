//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"errors"
	"io/fs"
	"testing"
	"time"
)

// TestDeprecatedNamesStillWork uses every deprecated name, so code written
// against them keeps compiling, and checks each is what replaced it.
func TestDeprecatedNamesStillWork(t *testing.T) {
	var (
		_ SharedMemory = (*ShmFile)(nil)
		_ MessageQueue = (*MqFile)(nil)
		_ Semaphore    = (*SemFile)(nil)
		_ *DirFile     = NewDirFile("shm", DirInfo("shm", "shm"), nil)
	)
	if QueuePriorityMax != MqPriorityMax || SignalMin != MqSignalMin || SignalMax != MqSignalMax ||
		MessageQueuesSupported != MqSupported || SemaphoreTimeoutSupported != SemTimeoutSupported ||
		SemaphoreValueSupported != SemValueSupported {
		t.Error("a deprecated constant differs from its replacement")
	}
	if !errors.Is(ErrShmShrunk, ErrSegmentShrunk) || !errors.Is(&fs.PathError{Err: ErrSegmentShrunk}, ErrShmShrunk) {
		t.Error("ErrSegmentShrunk is not ErrShmShrunk")
	}
	if QueueMessagesMaxDefault() != MqMaxMessagesDefault() || QueueMessageSizeMaxDefault() != MqMessageSizeDefault() {
		t.Error("a deprecated default differs from its replacement")
	}
	if QueueCost(10, 8192) != 82880 {
		t.Errorf("QueueCost(10, 8192) = %d; want 82880", QueueCost(10, 8192))
	}
	l, err := QueueLimits()
	if err != nil {
		t.Fatal(err)
	}
	if l.QueuesMax != l.QueuesLimit || l.MsgMax != l.MaxMessagesLimit || l.MsgsizeMax != l.MessageSizeLimit ||
		l.MsgDefault != l.DefaultMaxMessages || l.MsgsizeDefault != l.DefaultMessageSize || l.RlimitMsgqueue != l.BytesLimit {
		t.Errorf("QueueLimits() = %+v: a deprecated field differs from its replacement", l)
	}
	if n, err := CleanName("mq", "/x"); err != nil || n != "x" {
		t.Errorf(`CleanName("mq", "/x") = %q, %v`, n, err)
	}
	if d, n, err := SplitPath("stat", "sem/x"); err != nil || d != "sem" || n != "x" {
		t.Errorf(`SplitPath("sem/x") = %q, %q, %v`, d, n, err)
	}
	if fi := NewFileInfo("x", 3, 0o600, time.Time{}, nil); fi.Name() != "x" || fi.Size() != 3 {
		t.Errorf("NewFileInfo = %v", fi)
	}
	ns := New()
	f, err := CreateTemp(ns, "shm", uniqueName(t)[1:]+"-*")
	if err != nil {
		t.Fatalf("CreateTemp(ns, shm) = %v", err)
	}
	f.Close()
	if err := ns.Remove(f.Name()); err != nil {
		t.Errorf("Remove(%q) after the deprecated CreateTemp: %v", f.Name(), err)
	}
	if _, err := CreateTemp(nil, "shm", "x"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("CreateTemp(nil, ...) = %v; want fs.ErrInvalid", err)
	}
}
