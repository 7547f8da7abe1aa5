//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

func init() {
	childRoles["shm-truncate"] = shmChildTruncate
	childRoles["shm-resize-loop"] = shmChildResizeLoop
}

// shmChildTruncate truncates the segment $SHM_NAME to $SHM_SIZE bytes.
func shmChildTruncate() int {
	var size int64
	fmt.Sscan(os.Getenv("SHM_SIZE"), &size)
	f, err := OpenShm(os.Getenv("SHM_NAME"), os.O_RDWR, 0, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// shmChildResizeLoop shrinks the segment $SHM_NAME to zero and grows it back
// to $SHM_SIZE bytes, over and over, until its stdin is closed. It writes
// one line to stdout once it has started.
func shmChildResizeLoop() int {
	var size int64
	fmt.Sscan(os.Getenv("SHM_SIZE"), &size)
	f, err := OpenShm(os.Getenv("SHM_NAME"), os.O_RDWR, 0, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	stop := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stop) }()
	fmt.Println("started")
	for {
		select {
		case <-stop:
			return 0
		default:
		}
		if err := f.Truncate(0); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := f.Truncate(size); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
}

func TestShmFileShrunkByAnotherProcessOrHandleGivesErrorsNotSIGBUS(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	const size = 1 << 20
	f, name := shmCreate(t, 0)
	if _, err := f.Write(bytes.Repeat([]byte("x"), size)); err != nil {
		t.Fatal(err)
	}
	bytesBefore, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cmd := childCommand(t, "shm-truncate", "SHM_NAME="+name, "SHM_SIZE=0")
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	// The handle still believes the segment holds 1 MiB; every access past
	// the first page now faults in the kernel's eyes.
	checks := []struct {
		desc string
		call func() error
	}{
		{"ReadAt", func() error { _, err := f.ReadAt(make([]byte, 100), 500_000); return err }},
		{"WriteAt", func() error { _, err := f.WriteAt([]byte("y"), 500_000); return err }},
		{"WriteTo", func() error {
			f.Seek(8192, io.SeekStart)
			var buf bytes.Buffer
			_, err := f.WriteTo(&buf)
			return err
		}},
		{"Read", func() error { f.Seek(300_000, io.SeekStart); _, err := f.Read(make([]byte, 10)); return err }},
	}
	other := shmOpenT(t, name, os.O_RDWR)
	for i, c := range checks {
		if i > 0 {
			// Restore the handle's belief, then shrink again, from another
			// handle this time (a child process costs a second under -race).
			f.Truncate(size)
			other.Truncate(0)
		}
		err := c.call()
		if !errors.Is(err, ErrShmShrunk) || !errors.Is(err, syscall.EFAULT) {
			t.Errorf("%s on a segment shrunk by another process = %v; want ErrShmShrunk", c.desc, err)
		}
		// The handle has learned the new size: reads now see the end.
		if n, err := f.ReadAt(make([]byte, 10), 500_000); n != 0 || err != io.EOF {
			t.Errorf("%s: ReadAt after the error = %d, %v; want 0, io.EOF", c.desc, n, err)
		}
	}
	// The old Bytes slice is still mapped (not unmapped while open).
	f.Truncate(size)
	bytesBefore[size-1] = 'z'
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil || last[0] != 'z' {
		t.Errorf("store through old slice read back as %q, %v", last, err)
	}
}

func TestShmFileShrunkByAnotherHandleWhileReadFromRuns(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	f, name := shmCreate(t, 1<<20)
	g := shmOpenT(t, name, os.O_RDWR)
	// The reader shrinks the segment under ReadFrom's feet, then fills the
	// buffer ReadFrom handed it, which lies in the mapping (the segment
	// covered the range when ReadFrom began).
	calls := 0
	r := shmReaderFunc(func(p []byte) (int, error) {
		if calls++; calls > 1 {
			return 0, io.EOF
		}
		if err := g.Truncate(0); err != nil {
			return 0, err
		}
		for i := range p {
			p[i] = 'r'
		}
		return len(p), nil
	})
	f.Seek(100_000, io.SeekStart)
	if _, err := f.ReadFrom(r); !errors.Is(err, ErrShmShrunk) {
		t.Fatalf("ReadFrom with a shrinking reader = %v; want ErrShmShrunk", err)
	}
}

type shmReaderFunc func([]byte) (int, error)

func (r shmReaderFunc) Read(p []byte) (int, error) { return r(p) }

func TestShmFileSurvivesAnotherProcessResizingInALoop(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	const size = 256 << 10
	f, name := shmCreate(t, size)
	cmd := childCommand(t, "shm-resize-loop", "SHM_NAME="+name, fmt.Sprint("SHM_SIZE=", size))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "started\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	buf := make([]byte, 64<<10)
	var ok, shrunk int
	for i := 0; i < 20000 && (ok < 100 || shrunk < 100); i++ {
		off := int64(i*4099) % (size - int64(len(buf)))
		var err error
		if i%2 == 0 {
			_, err = f.ReadAt(buf, off)
		} else {
			_, err = f.WriteAt(buf[:1000], off)
		}
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrShmShrunk), err == io.EOF:
			shrunk++
		default:
			t.Fatalf("access %d: unexpected error %v", i, err)
		}
	}
	t.Logf("%d accesses succeeded, %d met a shrunk segment", ok, shrunk)
	if shrunk == 0 {
		t.Log("the child never shrank the segment during an access (not an error)")
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
}
