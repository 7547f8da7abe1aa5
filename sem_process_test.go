package ipcfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

func init() {
	childRoles["sem-create"] = semChildCreate
	childRoles["sem-relay"] = semChildRelay
	childRoles["sem-wait"] = semChildWait
}

// semChildCreate creates IPCFS_SEM_NAME with mode IPCFS_SEM_PERM and value
// IPCFS_SEM_VALUE under umask IPCFS_SEM_UMASK (octal).
func semChildCreate() int {
	umask, _ := strconv.ParseUint(os.Getenv("IPCFS_SEM_UMASK"), 8, 32)
	perm, _ := strconv.ParseUint(os.Getenv("IPCFS_SEM_PERM"), 8, 32)
	value, _ := strconv.ParseUint(os.Getenv("IPCFS_SEM_VALUE"), 10, 32)
	syscall.Umask(int(umask))
	s, err := OpenSem(os.Getenv("IPCFS_SEM_NAME"), os.O_CREATE|os.O_EXCL, os.FileMode(perm), uint32(value))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return semChildExit(s.Close())
}

// semChildRelay acquires IPCFS_SEM_N units from IPCFS_SEM_NAME, one at a
// time, releasing one into IPCFS_SEM_OUT for each.
func semChildRelay() int {
	in, err := OpenSem(os.Getenv("IPCFS_SEM_NAME"), 0, 0, 0)
	if err != nil {
		return semChildExit(err)
	}
	defer in.Close()
	out, err := OpenSem(os.Getenv("IPCFS_SEM_OUT"), 0, 0, 0)
	if err != nil {
		return semChildExit(err)
	}
	defer out.Close()
	n, _ := strconv.Atoi(os.Getenv("IPCFS_SEM_N"))
	for range n {
		if err := in.Acquire(context.Background()); err != nil {
			return semChildExit(err)
		}
		if err := out.Release(); err != nil {
			return semChildExit(err)
		}
	}
	return 0
}

// semChildWait says "waiting" and acquires one unit of IPCFS_SEM_NAME.
func semChildWait() int {
	s, err := OpenSem(os.Getenv("IPCFS_SEM_NAME"), 0, 0, 0)
	if err != nil {
		return semChildExit(err)
	}
	fmt.Println("waiting")
	return semChildExit(s.Acquire(context.Background()))
}

func semChildExit(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestSemCountingAcrossProcesses(t *testing.T) {
	in, out := semCreate(t, 0), semCreate(t, 0)
	const children, each = 3, 300
	var cmds []*exec.Cmd
	for range children {
		cmds = append(cmds, semStartChild(t, "sem-relay", "IPCFS_SEM_NAME="+in.Name(),
			"IPCFS_SEM_OUT="+out.Name(), "IPCFS_SEM_N="+strconv.Itoa(each)))
	}
	if n, err := in.Write(make([]byte, children*each)); n != children*each || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	// Read takes what is there each time; ReadFull keeps reading until
	// every unit relayed by the children has come back.
	if n, err := io.ReadFull(out, make([]byte, children*each)); n != children*each || err != nil {
		t.Fatalf("ReadFull = %d, %v", n, err)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	for _, s := range []*SemFile{in, out} {
		if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
			t.Errorf("%s: value %d nwaiters %d, want 0 0", s.Name(), v, w)
		}
	}
}

// semStartChild starts a child process in role; the test's cleanup kills
// it if it is still running.
func semStartChild(t testing.TB, role string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := childCommand(t, role, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func TestSemFileBytesAndModeMatchGlibc(t *testing.T) {
	c := semC(t)
	tests := []struct {
		umask, perm string
		want        os.FileMode
	}{
		{"022", "0666", 0o644},
		{"077", "0666", 0o600},
		{"000", "0666", 0o666},
		{"022", "0600", 0o600},
	}
	want := []byte{3, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, tt := range tests {
		t.Run("umask "+tt.umask+" perm "+tt.perm, func(t *testing.T) {
			goName, cName := uniqueName(t), uniqueName(t)
			t.Cleanup(func() { RemoveSem(goName); RemoveSem(cName) })
			ch := semStartChild(t, "sem-create", "IPCFS_SEM_NAME="+goName, "IPCFS_SEM_UMASK="+tt.umask,
				"IPCFS_SEM_PERM="+tt.perm, "IPCFS_SEM_VALUE=3")
			if err := ch.Wait(); err != nil {
				t.Fatalf("Go child: %v", err)
			}
			if out := semRunC(t, c, "create", cName, "3", tt.perm, tt.umask); out != "ok" {
				t.Fatalf("C create: %s", out)
			}
			for who, name := range map[string]string{"Go": goName, "glibc": cName} {
				host := "/dev/shm/sem." + name[1:]
				b, err := os.ReadFile(host)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b, want) {
					t.Errorf("%s file bytes\n% x\nwant\n% x", who, b, want)
				}
				fi, err := os.Stat(host)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode() != tt.want {
					t.Errorf("%s file mode %v, want %v", who, fi.Mode(), tt.want)
				}
			}
		})
	}
}

func TestSemKilledWaiterLeavesSemaphoreUsable(t *testing.T) {
	c := semC(t)
	s := semCreate(t, 0)
	ch := semStartChild(t, "sem-wait", "IPCFS_SEM_NAME="+s.Name())
	semWaitFor(t, "the child to wait", func() bool { return semWaiters(s) == 1 })
	ch.Process.Kill()
	ch.Wait()
	if w := semWaiters(s); w != 1 {
		t.Errorf("nwaiters after the kill = %d, want the stale 1", w)
	}
	// Posts now wake nobody (a spurious FUTEX_WAKE); values stay right.
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if v := semValue(t, s); v != 1 {
		t.Errorf("value = %d, want 1", v)
	}
	if err := s.TryAcquire(); err != nil {
		t.Fatal(err)
	}
	// A new Go waiter and a C waiter are both woken as usual.
	errc := make(chan error)
	go func() { errc <- s.Acquire(context.Background()) }()
	semWaitFor(t, "the Go waiter", func() bool { return semWaiters(s) == 2 })
	s.Release()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	cmd, out := semStartC(t, c, "wait", s.Name())
	semReadLine(t, out)
	semWaitFor(t, "the C waiter", func() bool { return semWaiters(s) == 2 })
	s.Release()
	if l := semReadLine(t, out); l != "ok" {
		t.Errorf("C waiter: %q", l)
	}
	cmd.Wait()
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 1 {
		t.Errorf("value %d nwaiters %d, want 0 and the stale 1", v, w)
	}
}
