package ipcfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

func init() { childRoles["shm-enospc"] = shmChildENOSPC }

// shmFullTmpfsSize is the size of the tmpfs the ENOSPC child mounts over
// /dev/shm in its own mount namespace.
const shmFullTmpfsSize = 256 << 10

// shmChildENOSPC runs in a private mount namespace: it mounts a small tmpfs
// over /dev/shm (invisible to every other process) and checks that running
// out of space is an ENOSPC error from the write, never a SIGBUS.
func shmChildENOSPC() int {
	if err := syscall.Mount("tmpfs", "/dev/shm", "tmpfs", 0, fmt.Sprintf("size=%d", shmFullTmpfsSize)); err != nil {
		fmt.Println("mount:", err)
		return 3
	}
	failed := false
	check := func(desc string, err error) {
		if !errors.Is(err, syscall.ENOSPC) {
			fmt.Printf("%s: got %v; want ENOSPC\n", desc, err)
			failed = true
		}
	}
	page := int64(os.Getpagesize())

	// Growing writes reserve their pages first.
	f, err := OpenShm("/grow", os.O_RDWR|os.O_CREATE, 0o600, 0)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	_, err = f.WriteAt(make([]byte, 2*shmFullTmpfsSize), 0)
	check("WriteAt past the end beyond the tmpfs size", err)
	n, err := f.ReadFrom(bytes.NewReader(make([]byte, 2*shmFullTmpfsSize)))
	check("ReadFrom beyond the tmpfs size", err)
	if n < shmFullTmpfsSize/2 {
		fmt.Printf("ReadFrom stored %d bytes before ENOSPC; want most of the %d available\n", n, shmFullTmpfsSize)
		failed = true
	}
	if size, err := f.Size(); err != nil || size != n {
		fmt.Printf("after ReadFrom: size %d, %v; want %d (no reserved tail left behind)\n", size, err, n)
		failed = true
	}

	// A sparse segment (ftruncate) has holes; stores into them on a full
	// tmpfs fault, and the fault must come back as ENOSPC.
	g, err := OpenShm("/sparse", os.O_RDWR|os.O_CREATE, 0o600, 4*shmFullTmpfsSize)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	_, err = g.WriteAt(bytes.Repeat([]byte("x"), int(2*page)), 3*shmFullTmpfsSize)
	check("WriteAt into a hole of a sparse segment on a full tmpfs", err)
	if _, err := g.WriteAt([]byte(strings.Repeat("y", 10)), 3*shmFullTmpfsSize); err == nil {
		fmt.Println("a store into a hole succeeded on a full tmpfs")
		failed = true
	}

	// Freeing space makes writes work again.
	f.Truncate(0)
	if _, err := g.WriteAt([]byte("fits now"), 3*shmFullTmpfsSize); err != nil {
		fmt.Println("WriteAt after freeing space:", err)
		failed = true
	}
	f.Close()
	g.Close()
	if failed {
		return 1
	}
	fmt.Println("ok")
	return 0
}

func TestShmFileFullTmpfsGivesENOSPCNotSIGBUS(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	if os.Getuid() != 0 {
		t.Skip("needs root to mount a small tmpfs in a private mount namespace")
	}
	cmd := childCommand(t, "shm-enospc")
	// Go makes the new mount namespace private (MS_REC|MS_PRIVATE on /), so
	// the child's tmpfs never shows outside it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 || errors.Is(err, syscall.EPERM) {
		t.Skipf("cannot mount a tmpfs in a mount namespace here: %v %s", err, out)
	}
	if err != nil || string(out) != "ok\n" {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
