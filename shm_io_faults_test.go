//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Faults and panics in the middle of a copy (issue 12): every lock is
// released on every path, a shrunk segment is ErrShmShrunk whoever touched
// it (another segment's copy, an *os.File's system call), ReadFrom never
// shrinks a segment nor shows space it has not filled, and a failed WriteAt
// changes nothing.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// shmHangLimit is how long a call that must return at once may take before
// the test calls it hung: far beyond any scheduling delay under -race on a
// loaded machine, far below the test timeout.
const shmHangLimit = 30 * time.Second

// shmReturns runs call and fails the test if it has not returned within
// shmHangLimit (a handle left locked); it returns call's error, or an error
// saying it hung.
func shmReturns(t *testing.T, what string, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(shmHangLimit):
		t.Errorf("%s has not returned after %v: the handle was left locked", what, shmHangLimit)
		return errors.New("hung")
	}
}

// shmLeaveIfHung is a segment for a test that may leave it locked: the
// test's cleanup removes its name but closes it only through shmReturns, so
// a hung handle fails the test instead of hanging the cleanup.
func shmLeaveIfHung(t *testing.T, size int64) (*ShmFile, string) {
	t.Helper()
	name := uniqueName(t)
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, size)
	if err != nil {
		t.Fatalf("OpenShm(%q): %v", name, err)
	}
	t.Cleanup(func() { shmRemoveQuietly(t, name) })
	return f, name
}

// shmUsable checks that f still answers Write (growing), Truncate and Close
// at once.
func shmUsable(t *testing.T, what string, f *ShmFile) {
	t.Helper()
	if err := shmReturns(t, what+": growing WriteAt", func() error {
		size, err := f.Size()
		if err != nil {
			return err
		}
		_, err = f.WriteAt([]byte("grow"), size+4096)
		return err
	}); err != nil {
		t.Errorf("%s: growing WriteAt afterwards: %v", what, err)
		return
	}
	if err := shmReturns(t, what+": Truncate", func() error { return f.Truncate(100) }); err != nil {
		t.Errorf("%s: Truncate afterwards: %v", what, err)
		return
	}
	if err := shmReturns(t, what+": Close", f.Close); err != nil {
		t.Errorf("%s: Close afterwards: %v", what, err)
	}
}

// shmShrinkBehind truncates the segment name to size through a descriptor
// of its own, so f keeps believing its old size.
func shmShrinkBehind(t *testing.T, name string, size int64) {
	t.Helper()
	if err := os.Truncate(shmHostPath(name), size); err != nil {
		t.Fatal(err)
	}
}

func TestShmFileCopyBetweenSegmentsWhoseSourceShrankReleasesBoth(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	const size = 1 << 20
	src, srcName := shmLeaveIfHung(t, size)
	dst, _ := shmLeaveIfHung(t, size) // pre-sized: the copy lands inside it
	if n, err := src.Size(); err != nil || n != size {
		t.Fatalf("Size = %d, %v", n, err)
	}
	shmShrinkBehind(t, srcName, 0)
	_, err := io.Copy(dst, src) // src.WriteTo(dst): dst copies out of src's vanished pages
	if !errors.Is(err, ErrShmShrunk) {
		t.Errorf("io.Copy from a shrunk segment = %v; want ErrShmShrunk", err)
	}
	shmUsable(t, "destination", dst)
	shmUsable(t, "source", src)
}

func TestShmFileReadFromAReaderOfAnotherSegmentIntoAShrunkSegmentReleasesBoth(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	const size = 1 << 20
	src, _ := shmLeaveIfHung(t, size)
	dst, dstName := shmLeaveIfHung(t, size)
	if n, err := dst.Size(); err != nil || n != size {
		t.Fatalf("Size = %d, %v", n, err)
	}
	// r shrinks dst under ReadFrom, then fills the buffer ReadFrom handed it
	// (inside dst's mapping) from src: src's copy faults on dst's pages.
	r := shmReaderFunc(func(p []byte) (int, error) {
		shmShrinkBehind(t, dstName, 0)
		return src.Read(p)
	})
	if _, err := dst.ReadFrom(r); !errors.Is(err, ErrShmShrunk) {
		t.Errorf("ReadFrom into a shrunk segment = %v; want ErrShmShrunk", err)
	}
	shmUsable(t, "source", src)
	shmUsable(t, "destination", dst)
}

type shmWriterFunc func([]byte) (int, error)

func (w shmWriterFunc) Write(p []byte) (int, error) { return w(p) }

// shmRecover calls call and returns what it panicked with (nil if nothing).
func shmRecover(call func()) (v any) {
	defer func() { v = recover() }()
	call()
	return nil
}

func TestShmFileWriteToWithAPanickingWriterReleasesTheHandle(t *testing.T) {
	f, _ := shmLeaveIfHung(t, 64<<10)
	type boom struct{}
	v := shmRecover(func() {
		f.WriteTo(shmWriterFunc(func([]byte) (int, error) { panic(boom{}) }))
	})
	if _, ok := v.(boom); !ok {
		t.Errorf("WriteTo recovered %v; want the writer's own panic value", v)
	}
	shmUsable(t, "after a panicking writer", f)
}

func TestShmFileReadFromWithAPanickingReaderReleasesTheHandle(t *testing.T) {
	for _, size := range []int64{0, 64 << 10} { // growing, and into the segment's pages
		t.Run(fmt.Sprint("size ", size), func(t *testing.T) {
			f, _ := shmLeaveIfHung(t, size)
			type boom struct{}
			v := shmRecover(func() {
				f.ReadFrom(shmReaderFunc(func([]byte) (int, error) { panic(boom{}) }))
			})
			if _, ok := v.(boom); !ok {
				t.Errorf("ReadFrom recovered %v; want the reader's own panic value", v)
			}
			shmUsable(t, "after a panicking reader", f)
		})
	}
}

// A fault on memory the caller passed (here: pages of another segment that
// shrank) is the caller's fault and panics, as a bad slice would; the
// handle must stay usable once the caller recovers.
func TestShmFileFaultInTheCallersBufferReleasesTheHandle(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	const size = 64 << 10
	other, otherName := shmCreate(t, size)
	foreign, err := other.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		desc string
		call func(f *ShmFile)
	}{
		{"ReadAt into", func(f *ShmFile) { f.ReadAt(foreign, 0) }},
		{"Read into", func(f *ShmFile) { f.Read(foreign) }},
		{"WriteAt from", func(f *ShmFile) { f.WriteAt(foreign, 0) }},
		{"Write from", func(f *ShmFile) { f.Write(foreign) }},
	} {
		f, _ := shmLeaveIfHung(t, size)
		shmShrinkBehind(t, otherName, 0)
		v := shmRecover(func() { c.call(f) })
		if v == nil {
			t.Errorf("%s a vanished foreign mapping did not panic", c.desc)
		}
		shmUsable(t, c.desc+" a vanished foreign mapping", f)
		other.Truncate(size)
	}
	runtime.KeepAlive(other)
}

// Two goroutines copy A to B and B to A at the same time; each writer waits
// until the other copy is inside its writer too. A handle that held a lock
// while calling the writer would deadlock here.
func TestShmFileCrossCopiesBetweenTwoHandlesDoNotDeadlock(t *testing.T) {
	const size = 64 << 10
	a, _ := shmLeaveIfHung(t, size)
	b, _ := shmLeaveIfHung(t, size)
	var inA, inB sync.WaitGroup
	inA.Add(1)
	inB.Add(1)
	copyVia := func(src, dst *ShmFile, mine, theirs *sync.WaitGroup) func() error {
		return func() error {
			once := sync.Once{}
			_, err := src.WriteTo(shmWriterFunc(func(p []byte) (int, error) {
				once.Do(func() { mine.Done(); theirs.Wait() })
				return dst.Write(p)
			}))
			return err
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- shmReturns(t, "copy A to B", copyVia(a, b, &inA, &inB)) }()
	go func() { errs <- shmReturns(t, "copy B to A", copyVia(b, a, &inB, &inA)) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	shmUsable(t, "A", a)
	shmUsable(t, "B", b)
}

// Close while a WriteTo is inside its writer: Close returns at once (it
// does not wait for the writer), the writer's slice stays readable until
// it returns, and the copy then ends with fs.ErrClosed.
func TestShmFileCloseDuringWriteToReturnsAtOnce(t *testing.T) {
	f, _ := shmLeaveIfHung(t, 3<<20) // three chunks
	if _, err := f.WriteAt(bytes.Repeat([]byte("c"), 3<<20), 0); err != nil {
		t.Fatal(err)
	}
	var calls int
	n, err := f.WriteTo(shmWriterFunc(func(p []byte) (int, error) {
		calls++
		if calls == 1 {
			if err := shmReturns(t, "Close inside WriteTo's writer", f.Close); err != nil {
				t.Errorf("Close: %v", err)
			}
			if p[len(p)-1] != 'c' { // still mapped
				t.Errorf("writer's slice changed after Close")
			}
		}
		return len(p), nil
	}))
	if calls != 1 || n != shmCopyChunk || !errors.Is(err, os.ErrClosed) {
		t.Errorf("WriteTo with Close in its writer = %d, %v after %d writes; want %d, fs.ErrClosed after 1", n, err, calls, shmCopyChunk)
	}
}

func TestShmFileCopyToAnOSFileFromAShrunkSegmentIsErrShmShrunk(t *testing.T) {
	const size = 1 << 20
	f, name := shmCreate(t, size)
	if n, err := f.Size(); err != nil || n != size {
		t.Fatalf("Size = %d, %v", n, err)
	}
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	shmShrinkBehind(t, name, 0)
	// f.WriteTo(out): write(2) reads the vanished pages and fails with EFAULT.
	_, err = io.Copy(out, f)
	if !errors.Is(err, ErrShmShrunk) {
		t.Errorf("io.Copy(*os.File, shrunk segment) = %v; want ErrShmShrunk", err)
	}
	shmCheckPathError(t, err, "read", f.Name())
}

func TestShmFileCopyFromAnOSFileIntoAShrunkSegmentIsErrShmShrunk(t *testing.T) {
	const size = 1 << 20
	f, name := shmCreate(t, size)
	g := shmOpenT(t, name, os.O_RDONLY)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	go func() {
		defer pw.Close()
		pw.Write([]byte{'1'})
		// Once the first byte is in the segment, ReadFrom is running and
		// knows the segment's size: shrink it, then give read(2) more,
		// which it copies into the vanished pages.
		b := make([]byte, 1)
		for {
			if n, _ := g.ReadAt(b, 0); n == 1 && b[0] == '1' {
				break
			}
			runtime.Gosched()
		}
		shmShrinkBehind(t, name, 0)
		pw.Write(make([]byte, 4096))
	}()
	// io.Copy(f, *os.File) goes to f.ReadFrom (os.File's WriteTo falls back
	// to it); read(2) fails with EFAULT.
	_, err = io.Copy(f, pr)
	if !errors.Is(err, ErrShmShrunk) {
		t.Errorf("io.Copy(shrunk segment, *os.File) = %v; want ErrShmShrunk", err)
	}
	shmCheckPathError(t, err, "write", f.Name())
}

// The reproduction: while ReadFrom copies 100 KiB into an empty
// segment, another handle writes a record at 4 MiB. The record survives and
// the segment never shrinks; and whenever the reader is called, the segment
// holds exactly what ReadFrom has written so far (no reserved space shows).
func TestShmFileReadFromNeverShrinksNorPublishesUnfilledSpace(t *testing.T) {
	const total, recordAt = 100 << 10, 4 << 20
	record := []byte("record written by another process")
	f, name := shmCreate(t, 0)
	other := shmOpenT(t, name, os.O_RDWR)
	var given int64
	recorded := false
	r := shmReaderFunc(func(p []byte) (int, error) {
		size, err := other.Size()
		if err != nil {
			return 0, err
		}
		if want := given; recorded && size != recordAt+int64(len(record)) || !recorded && size != want {
			t.Errorf("reader called with the segment %d bytes long after %d bytes written", size, given)
		}
		if given >= 50<<10 && !recorded {
			if _, err := other.WriteAt(record, recordAt); err != nil {
				return 0, err
			}
			recorded = true
		}
		if given == total {
			return 0, io.EOF
		}
		n := min(len(p), 10<<10, int(total-given))
		for i := range n {
			p[i] = byte('a' + (given+int64(i))%26)
		}
		given += int64(n)
		return n, nil
	})
	if n, err := f.ReadFrom(r); n != total || err != nil {
		t.Fatalf("ReadFrom = %d, %v; want %d, nil", n, err, total)
	}
	shmCheckSize(t, f, recordAt+int64(len(record)))
	got := make([]byte, len(record))
	if _, err := f.ReadAt(got, recordAt); err != nil || !bytes.Equal(got, record) {
		t.Errorf("record at 4 MiB after ReadFrom = %q, %v; want %q", got, err, record)
	}
	data := make([]byte, total)
	if _, err := f.ReadAt(data, 0); err != nil {
		t.Fatal(err)
	}
	for i, c := range data {
		if c != byte('a'+i%26) {
			t.Fatalf("byte %d = %q; want %q", i, c, byte('a'+i%26))
		}
	}
}

// Where the segment already covers the range, the reader writes straight
// into the shared pages (another handle sees its bytes before it returns);
// past the end it gets a buffer of its own, and the segment grows by what
// it returned, once it has returned.
func TestShmFileReadFromIsZeroCopyWithinTheSegmentOnly(t *testing.T) {
	const size, more = 256 << 10, 300 << 10
	f, name := shmCreate(t, size)
	other := shmOpenT(t, name, os.O_RDONLY)
	var off int64
	var direct, buffered int
	r := shmReaderFunc(func(p []byte) (int, error) {
		if off == size+more {
			return 0, io.EOF
		}
		n := int(min(int64(len(p)), size+more-off))
		for i := range p[:n] {
			p[i] = 'm'
		}
		got := make([]byte, 1)
		seen, _ := other.ReadAt(got, off)
		if visible := seen == 1 && got[0] == 'm'; visible != (off < size) {
			t.Errorf("read at %d: bytes visible in the segment before the reader returned = %v; want %v", off, visible, off < size)
		} else if visible {
			direct++
		} else {
			buffered++
		}
		off += int64(n)
		return n, nil
	})
	if n, err := f.ReadFrom(r); n != size+more || err != nil {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	if direct == 0 || buffered == 0 {
		t.Errorf("%d reads straight into the segment, %d into a buffer; want some of each", direct, buffered)
	}
	shmCheckSize(t, f, size+more)
	all := make([]byte, size+more)
	if _, err := other.ReadAt(all, 0); err != nil || !bytes.Equal(all, bytes.Repeat([]byte("m"), size+more)) {
		t.Errorf("segment after ReadFrom does not hold what the reader gave (%v)", err)
	}
}

func TestShmFileFailedWriteAtLeavesSizeAndContent(t *testing.T) {
	f, _ := shmCreate(t, 0)
	if _, err := f.Write([]byte("before")); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{1 << 50, 1 << 62, 1<<63 - 2} {
		if _, err := f.WriteAt([]byte("xyz"), off); err == nil {
			// Allowed where the address space can map it; then it must be
			// there.
			got := make([]byte, 3)
			if _, err := f.ReadAt(got, off); err != nil || string(got) != "xyz" {
				t.Errorf("WriteAt at %d succeeded but reads back %q, %v", off, got, err)
			}
			f.Truncate(6)
			continue
		}
		if size, err := f.Size(); err != nil || size != 6 {
			t.Errorf("size after a failed WriteAt at %d = %d, %v; want 6", off, size, err)
			f.Truncate(6)
			continue
		}
		shmCheckContent(t, f, "before")
	}
}

func TestShmFileFailedWriteAtOnAReadOnlyOrClosedHandleChangesNothing(t *testing.T) {
	f, name := shmCreate(t, 0)
	ro := shmOpenT(t, name, os.O_RDONLY)
	if _, err := ro.WriteAt([]byte("x"), 100); !errors.Is(err, syscall.EBADF) {
		t.Errorf("WriteAt on a read-only handle = %v; want EBADF", err)
	}
	shmCheckSize(t, f, 0)
}
