//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// createModes runs f with O_TMPFILE creation and with glibc's named
// temporary file forced.
func createModes(t *testing.T, f func(t *testing.T)) {
	for _, named := range []bool{false, true} {
		name := "tmpfile"
		if named {
			name = "named"
		}
		t.Run(name, func(t *testing.T) {
			prev := noTmpfile.Swap(named)
			t.Cleanup(func() { noTmpfile.Store(prev) })
			f(t)
		})
	}
}

func TestCreateWritesGlibcsSemaphoreWhole(t *testing.T) {
	createModes(t, func(t *testing.T) {
		dir := testDir(t)
		path := filepath.Join(dir, "sem.x")
		o, err := Open(path, true, true, 0o640, 3)
		if err != nil {
			t.Fatal(err)
		}
		defer o.closeHandle()
		defer o.unref()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, Image(3)) {
			t.Errorf("file bytes % x, want % x", b, Image(3))
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		umask := syscall.Umask(0)
		syscall.Umask(umask)
		if want := os.FileMode(0o640 &^ umask); fi.Mode() != want {
			t.Errorf("mode %v, want %v (0640 less the umask %#o)", fi.Mode(), want, umask)
		}
		if _, err := Open(path, true, true, 0o600, 0); !errors.Is(err, syscall.EEXIST) {
			t.Errorf("creating it again with excl: %v, want EEXIST", err)
		}
		// Nothing but the semaphore is left in the directory.
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("directory holds %d entries, want only sem.x", len(entries))
		}
	})
}

// Where O_TMPFILE is refused, creation falls back to the named method.
func TestCreateFallsBackWhereTmpfileIsRefused(t *testing.T) {
	dir := testDir(t)
	// A directory that does not exist makes O_TMPFILE fail with ENOENT,
	// which is not a refusal: the error is reported as the named method
	// would.
	if _, err := create1(filepath.Join(dir, "missing", "sem.x"), 0o600, 0); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("create in a missing directory: %v, want ENOENT", err)
	}
	fd, err := createUnnamed(filepath.Join(dir, "sem.y"), 0o600, 0)
	if err != nil {
		t.Fatalf("O_TMPFILE creation on tmpfs: %v", err)
	}
	syscall.Close(fd)
}

func TestOpenSharesOneObjectPerSemaphore(t *testing.T) {
	dir := testDir(t)
	path := filepath.Join(dir, "sem.x")
	a := openHandle(t, path, 1)
	b := openHandle(t, path, 7)
	if a.h.Object() != b.h.Object() {
		t.Fatal("two opens of one semaphore made two objects")
	}
	// A hard link is the same semaphore.
	if err := os.Link(path, filepath.Join(dir, "sem.link")); err != nil {
		t.Fatal(err)
	}
	if c := openHandle(t, filepath.Join(dir, "sem.link"), 0); c.h.Object() != a.h.Object() {
		t.Error("a hard link of the semaphore made another object")
	}
	// Removed and made again: another semaphore.
	os.Remove(path)
	if d := openHandle(t, path, 0); d.h.Object() == a.h.Object() {
		t.Error("a new semaphore under the old name shares the old one's object")
	}
	if err := a.h.Release(); err != nil || b.h.Word.Value() != 2 {
		t.Errorf("release through one handle: %v, value through the other %d; want 2", err, b.h.Word.Value())
	}
}

// The descriptor goes with the last Close, the mapping once the handles
// are collected.
func TestObjectLifetime(t *testing.T) {
	path := filepath.Join(testDir(t), "sem.x")
	// Handles without openHandle's cleanup, which would keep them reachable
	// until the test ends.
	open := func() *testHandle {
		o, err := Open(path, true, false, 0o600, 0)
		if err != nil {
			t.Fatal(err)
		}
		th := &testHandle{}
		th.h.Init(o)
		Track(th, &th.h)
		return th
	}
	// Whether the object of key is mapped: other tests' objects may be
	// collected meanwhile, so Mapped's total says nothing about this one.
	mapped := func(key fileKey) bool {
		table.mu.Lock()
		defer table.mu.Unlock()
		return table.m[key] != nil
	}
	var key fileKey
	func() {
		a, b := open(), open()
		key = a.h.Object().key
		if b.h.Object() != a.h.Object() {
			t.Fatal("two handles of one semaphore have two objects")
		}
		if a.h.Object().Fd() < 0 {
			t.Fatal("an open handle's object has no descriptor")
		}
		a.h.Close()
		if a.h.Object().Fd() < 0 {
			t.Fatal("the descriptor went while a handle is open")
		}
		if _, _, err := b.h.Stat(); err != nil {
			t.Fatalf("Stat on the open handle: %v", err)
		}
		b.h.Close()
		if fd := a.h.Object().Fd(); fd >= 0 {
			t.Errorf("descriptor %d still open after every handle closed", fd)
		}
		if _, _, err := b.h.Stat(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Stat after Close: %v, want fs.ErrClosed", err)
		}
		if !mapped(key) {
			t.Error("unmapped while the handles are reachable")
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for mapped(key) {
		if time.Now().After(deadline) {
			t.Fatal("still mapped 20 s after the handles became unreachable")
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
}

// childCreateLoop creates and removes semaphores in IPCFS_SEMTEST_DIR as
// fast as it can, after saying "ready", until it is killed.
func childCreateLoop() error {
	dir := os.Getenv("IPCFS_SEMTEST_DIR")
	noTmpfile.Store(os.Getenv("IPCFS_SEMTEST_NAMED") == "1")
	fmt.Println("ready")
	for i := 0; ; i++ {
		path := filepath.Join(dir, fmt.Sprintf("sem.final-%d", i))
		o, err := Open(path, true, true, 0o600, 1)
		if err != nil {
			return err
		}
		os.Remove(path)
		o.closeHandle()
		o.unref()
	}
}

// A process killed at any point of creating semaphores leaves no
// temporary file: with O_TMPFILE the semaphore has no name until it is
// complete. (glibc's named temporary file, the fallback, leaves one when
// the kill falls between its open and its unlink; counted, not asserted.)
// Under emulation a fifth of the kills: each child is a fork of the
// multithreaded emulator, which qemu-user 7.2 can deadlock (.ci/qemu-exec),
// and the kills took most of the package's time there.
func TestCreateKilledLeavesNothing(t *testing.T) {
	createModes(t, func(t *testing.T) {
		named := noTmpfile.Load()
		dir := testDir(t)
		final := regexp.MustCompile(`^sem\.final-[0-9]+$`)
		kills := testenv.Size(40, 8)
		leftovers := 0
		for k := range kills {
			env := []string{"IPCFS_SEMTEST_DIR=" + dir}
			if named {
				env = append(env, "IPCFS_SEMTEST_NAMED=1")
			}
			cmd := childCommand("create-loop", env...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child: %q, %v", line, err)
			}
			// A random point of the loop: not synchronisation.
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			cmd.Process.Kill()
			cmd.Wait()
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if !final.MatchString(e.Name()) {
					leftovers++
					if !named {
						t.Errorf("kill %d left %q behind", k, e.Name())
					}
				}
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
		t.Logf("%d kills left %d temporary files", kills, leftovers)
	})
}
