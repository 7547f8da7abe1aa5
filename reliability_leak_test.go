//go:build linux

package ipcfs

// No leaks: many open/close cycles of each kind leave the process's file
// descriptors, memory maps and goroutines where they started.

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// relLeakCycles is how many open/close cycles of each kind the leak test
// runs: IPCFS_LEAK_CYCLES, or a default sized to keep `go test -race` fast,
// a tenth of it under emulation or -short (the 100,000 runs with
// IPCFS_LEAK_CYCLES=100000).
func relLeakCycles(t *testing.T, def int) int {
	if v := os.Getenv("IPCFS_LEAK_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("IPCFS_LEAK_CYCLES=%q: want a positive number", v)
		}
		return n
	}
	if testing.Short() {
		return def / 10
	}
	return testenv.Size(def, def/10)
}

// relUsage is what a process holds that a leak would grow.
type relUsage struct {
	fds        int // entries in /proc/self/fd
	maps       int // lines in /proc/self/maps
	ipcMaps    int // of which map /dev/shm or mqueue files
	goroutines int
}

func relMeasure(t *testing.T) relUsage {
	t.Helper()
	var u relUsage
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	u.fds = len(fds)
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		u.maps++
		if line := sc.Text(); strings.Contains(line, "/dev/shm/") || strings.Contains(line, "/dev/mqueue/") {
			u.ipcMaps++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	u.goroutines = runtime.NumGoroutine()
	return u
}

// relCheckNoGrowth polls (the runtime may still be retiring goroutines)
// until usage is back to before, and fails t if it is not by a deadline.
// The total number of mappings may move a little with the Go heap, so it
// gets a small allowance; mappings of IPC objects and fds get none.
func relCheckNoGrowth(t *testing.T, what string, before relUsage) {
	t.Helper()
	const heapMaps = 32
	var now relUsage
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		now = relMeasure(t)
		if now.fds <= before.fds && now.ipcMaps <= before.ipcMaps && now.maps <= before.maps+heapMaps &&
			now.goroutines <= before.goroutines {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	t.Errorf("%s: fds %d -> %d, maps %d -> %d (IPC maps %d -> %d), goroutines %d -> %d",
		what, before.fds, now.fds, before.maps, now.maps, before.ipcMaps, now.ipcMaps, before.goroutines, now.goroutines)
}

func TestReliabilityOpenCloseCyclesLeakNothing(t *testing.T) {
	// Opening an existing object, using it and closing it; every tenth
	// cycle also creates and removes a second object (the create paths
	// differ: glibc's temp file and link for semaphores, mq_open with
	// attributes for queues).
	kinds := []struct {
		dir    string
		cycles int
		use    func(f File) error
	}{
		{"shm", 20_000, func(f File) error {
			_, err := f.(SharedMemory).WriteAt([]byte{1}, 0)
			return err
		}},
		{"sem", 20_000, func(f File) error {
			s := f.(Semaphore)
			if err := s.Release(); err != nil {
				return err
			}
			return s.TryAcquire()
		}},
		{"mq", 20_000, func(f File) error {
			q := f.(MessageQueue)
			if err := q.Send(context.Background(), []byte("x"), 0); err != nil {
				return err
			}
			buf := make([]byte, relSmallQueue.MessageSize)
			_, _, err := q.Receive(context.Background(), buf)
			return err
		}},
	}
	for _, k := range kinds {
		t.Run(k.dir, func(t *testing.T) {
			cycles := relLeakCycles(t, k.cycles)
			name := uniqueName(t)
			keep, err := relCreate(k.dir, name, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { keep.Close(); relRemove(k.dir, name) })
			other := uniqueName(t)
			t.Cleanup(func() { relRemove(k.dir, other) })

			// Warm up once, so lazily made runtime state (the poller, timers)
			// is not counted as a leak.
			relOpenUseClose(t, k.dir, name, k.use)
			before := relMeasure(t)
			start := time.Now()
			for i := range cycles {
				relOpenUseClose(t, k.dir, name, k.use)
				if i%10 == 0 {
					f, err := relCreate(k.dir, other, 0o600)
					if err != nil {
						t.Fatalf("cycle %d: create: %v", i, err)
					}
					if err := f.Close(); err != nil {
						t.Fatalf("cycle %d: close: %v", i, err)
					}
					if err := relRemove(k.dir, other); err != nil {
						t.Fatalf("cycle %d: remove: %v", i, err)
					}
				}
				if t.Failed() {
					return
				}
			}
			t.Logf("%d open/use/close cycles of %s (and %d create/remove) in %v", cycles, k.dir, (cycles+9)/10, time.Since(start))
			relCheckNoGrowth(t, k.dir, before)
		})
	}
}

func relOpenUseClose(t *testing.T, dir, name string, use func(File) error) {
	t.Helper()
	var (
		f   File
		err error
	)
	switch dir {
	case "shm":
		f, err = OpenShm(name, os.O_RDWR, 0, 0)
	case "mq":
		f, err = OpenMq(name, os.O_RDWR, 0, nil)
	case "sem":
		f, err = OpenSem(name, 0, 0, 0)
	}
	if err != nil {
		t.Fatalf("open %s %s: %v", dir, name, err)
	}
	if err := use(f); err != nil {
		t.Fatalf("use %s %s: %v", dir, name, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("close %s %s: %v", dir, name, err)
	}
	if err := f.Close(); err == nil {
		t.Fatalf("second close of %s %s succeeded; want fs.ErrClosed", dir, name)
	}
}
