package fstest_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
)

// An in-memory namespace behaves like the host's: here, a queue delivers
// the highest priority first.
func ExampleNewMemFS() {
	ns := fstest.NewMemFS()
	q, err := ns.OpenMq("/jobs", os.O_RDWR|os.O_CREATE, 0o600, &ipcfs.MqAttr{MaxMessages: 4, MessageSize: 64})
	if err != nil {
		panic(err)
	}
	defer q.Close()
	ctx := context.Background()
	q.Send(ctx, []byte("routine"), 0)
	q.Send(ctx, []byte("urgent"), 10)
	buf := make([]byte, 64)
	for range 2 {
		n, prio, _ := q.Receive(ctx, buf)
		fmt.Printf("%s (priority %d)\n", buf[:n], prio)
	}
	// Output:
	// urgent (priority 10)
	// routine (priority 0)
}

// Snapshot freezes a namespace into a testing/fstest.MapFS: segment bytes,
// and text for queues and semaphores.
func ExampleSnapshot() {
	ns := fstest.NewMemFS()
	seg, _ := ns.OpenShm("/greeting", os.O_RDWR|os.O_CREATE, 0o600, 0)
	seg.Write([]byte("hello"))
	seg.Close()
	sem, _ := ns.OpenSem("/lock", os.O_CREATE, 0o600, 1)
	sem.Close()

	snap, err := fstest.Snapshot(ns)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", snap["shm/greeting"].Data)
	fmt.Printf("%q\n", snap["sem/lock"].Data)
	// Output:
	// "hello"
	// "value 1\nwaiters 0\n"
}

// A backend's own test file runs the conformance suite like this (here
// against MemFS; pass your own constructor).
func ExampleTestNamespace() {
	testMyBackend := func(t *testing.T) {
		fstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace { return fstest.NewMemFS() })
	}
	_ = testMyBackend
}
