//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// shmFileLike is what TestShmFileBehavesLikeARegularFile drives on both a
// *ShmFile and an *os.File.
type shmFileLike interface {
	io.ReadWriteSeeker
	io.ReaderAt
	io.WriterAt
	Truncate(int64) error
	Stat() (fs.FileInfo, error)
}

func TestShmFileBehavesLikeARegularFile(t *testing.T) {
	page := int64(os.Getpagesize())
	type op func(f shmFileLike) string
	res := func(n any, err error) string { return fmt.Sprintf("%v %v", n, shmErrKind(err)) }
	read := func(size int) op {
		return func(f shmFileLike) string {
			b := make([]byte, size)
			n, err := f.Read(b)
			return res(fmt.Sprintf("%d %q", n, b[:n]), err)
		}
	}
	readAt := func(size int, off int64) op {
		return func(f shmFileLike) string {
			b := make([]byte, size)
			n, err := f.ReadAt(b, off)
			return res(fmt.Sprintf("%d %q", n, b[:n]), err)
		}
	}
	write := func(s string) op { return func(f shmFileLike) string { return res(f.Write([]byte(s))) } }
	writeAt := func(s string, off int64) op {
		return func(f shmFileLike) string { return res(f.WriteAt([]byte(s), off)) }
	}
	seek := func(off int64, whence int) op { return func(f shmFileLike) string { return res(f.Seek(off, whence)) } }
	truncate := func(size int64) op { return func(f shmFileLike) string { return res(0, f.Truncate(size)) } }
	size := func(f shmFileLike) string {
		fi, err := f.Stat()
		if err != nil {
			return res(0, err)
		}
		return res(fi.Size(), nil)
	}
	steps := []struct {
		desc string
		op   op
	}{
		{"empty size", size},
		{"read empty", read(4)},
		{"read zero bytes at EOF", read(0)},
		{"readAt empty", readAt(4, 0)},
		{"write", write("hello, world")},
		{"size after write", size},
		{"read at end", read(4)},
		{"seek start", seek(0, io.SeekStart)},
		{"read part", read(5)},
		{"seek current", seek(2, io.SeekCurrent)},
		{"read rest", read(100)},
		{"seek end", seek(-5, io.SeekEnd)},
		{"read tail", read(100)},
		{"readAt middle", readAt(3, 7)},
		{"readAt across end", readAt(10, 7)},
		{"readAt past end", readAt(1, 100)},
		{"readAt zero bytes past end", readAt(0, 100)},
		{"readAt negative", readAt(1, -1)},
		{"writeAt past end makes a hole", writeAt("far", 3*page+5)},
		{"size after hole", size},
		{"read the hole", readAt(4, 20)},
		{"read across page boundary", readAt(6, 3*page+3)},
		{"writeAt negative", writeAt("x", -1)},
		{"writeAt empty past end", writeAt("", 10*page)},
		{"size unchanged by empty write", size},
		{"seek past end", seek(5*page, io.SeekStart)},
		{"read past end", read(1)},
		{"write past end", write("tail")},
		{"size after write past end", size},
		{"seek negative", seek(-1, io.SeekStart)},
		{"bad whence", seek(0, 7)},
		{"truncate shrink", truncate(7)},
		{"size after shrink", size},
		{"readAt after shrink", readAt(20, 0)},
		{"truncate grow", truncate(page + 1)},
		{"readAt zeros after grow", readAt(3, 7)},
		{"truncate negative", truncate(-1)},
		{"truncate to zero", truncate(0)},
		{"offset kept by truncate", seek(0, io.SeekCurrent)},
		{"write at kept offset", write("z")},
		{"size final", size},
	}
	shmF, _ := shmCreate(t, 0)
	osF, err := os.CreateTemp(t.TempDir(), "regular")
	if err != nil {
		t.Fatal(err)
	}
	defer osF.Close()
	for _, s := range steps {
		got, want := s.op(shmF), s.op(osF)
		if got != want {
			t.Errorf("%s: ShmFile gives %s; os.File gives %s", s.desc, got, want)
		}
	}
}

// shmErrKind names the part of err that the comparison with os.File cares
// about: nil, io.EOF, or the errno inside.
func shmErrKind(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return "ok"
	case err == io.EOF:
		return "EOF"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.Is(err, fs.ErrInvalid), strings.HasSuffix(err.Error(), "negative offset"):
		return syscall.EINVAL.Error()
	}
	return "other error: " + err.Error()
}

func TestShmFileReadsZeroSizeAndOddSizeSegments(t *testing.T) {
	page := os.Getpagesize()
	for _, size := range []int{0, 1, page - 1, page, page + 1, 3*page + 17} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			f, name := shmCreate(t, int64(size))
			data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
			if _, err := f.WriteAt(data, 0); err != nil {
				t.Fatal(err)
			}
			shmCheckSize(t, f, int64(size))
			g := shmOpenT(t, name, os.O_RDONLY)
			got, err := io.ReadAll(g)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("ReadAll = %d bytes, %v; want %d bytes of data", len(got), err, size)
			}
			if err := iotest.TestReader(shmOpenT(t, name, os.O_RDONLY), data); err != nil {
				t.Error(err)
			}
			b, err := g.Bytes()
			if err != nil || !bytes.Equal(b, data) || cap(b) != size {
				t.Errorf("Bytes() = %d bytes (cap %d), %v; want the data with cap %d", len(b), cap(b), err, size)
			}
		})
	}
}

func TestShmFileWritePastEndGrowsSegmentSeenByOtherHandles(t *testing.T) {
	f, name := shmCreate(t, 0)
	g := shmOpenT(t, name, os.O_RDONLY)
	var want []byte
	// Many small appends cross many pages and several remaps.
	for i := range 3000 {
		line := fmt.Sprintf("line %d\n", i)
		if _, err := f.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		want = append(want, line...)
	}
	shmCheckSize(t, f, int64(len(want)))
	got, err := io.ReadAll(g)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("other handle read %d bytes, %v; want %d", len(got), err, len(want))
	}
}

func TestShmFileReadOnlyHandleRefusesWrites(t *testing.T) {
	f, name := shmCreate(t, 0)
	f.Write([]byte("original"))
	g := shmOpenT(t, name, os.O_RDONLY)
	checks := []struct {
		desc, op string
		call     func() error
	}{
		{"Write", "write", func() error { _, err := g.Write([]byte("x")); return err }},
		{"WriteAt", "writeat", func() error { _, err := g.WriteAt([]byte("x"), 0); return err }},
		{"WriteAt past end", "writeat", func() error { _, err := g.WriteAt([]byte("x"), 1<<20); return err }},
		{"ReadFrom", "write", func() error { _, err := g.ReadFrom(strings.NewReader("x")); return err }},
		{"Truncate", "truncate", func() error { return g.Truncate(0) }},
	}
	for _, c := range checks {
		err := c.call()
		if !errors.Is(err, syscall.EBADF) {
			t.Errorf("%s on read-only handle = %v; want EBADF", c.desc, err)
		}
		shmCheckPathError(t, err, c.op, name)
	}
	shmCheckContent(t, f, "original")
}

func TestShmFileCopiesInAndOutWithIOCopy(t *testing.T) {
	data := bytes.Repeat([]byte("shared memory "), 300_000) // 4.2 MB, several ReadFrom chunks
	f, name := shmCreate(t, 0)
	// OneByteReader hides bytes.Reader's WriteTo, so io.Copy uses ReadFrom.
	n, err := io.Copy(f, iotest.HalfReader(bytes.NewReader(data)))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("io.Copy in = %d, %v; want %d", n, err, len(data))
	}
	shmCheckSize(t, f, int64(len(data)))
	var out bytes.Buffer
	g := shmOpenT(t, name, os.O_RDONLY)
	n, err = io.Copy(&out, g)
	if err != nil || n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("io.Copy out = %d, %v; want the %d bytes", n, err, len(data))
	}
	// io.Copy out again: the offset is at the end.
	if n, err := io.Copy(io.Discard, g); n != 0 || err != nil {
		t.Errorf("second io.Copy out = %d, %v; want 0, nil", n, err)
	}
}

func TestShmFileReadFromIntoMiddleKeepsLargerSize(t *testing.T) {
	f, _ := shmCreate(t, 0)
	f.Write(bytes.Repeat([]byte("."), 100_000))
	f.Seek(10, io.SeekStart)
	if n, err := f.ReadFrom(strings.NewReader("inside")); n != 6 || err != nil {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	shmCheckSize(t, f, 100_000)
	b := make([]byte, 20)
	f.ReadAt(b, 5)
	if string(b) != ".....inside........." {
		t.Errorf("content = %q", b)
	}
	// Nothing to read leaves the size alone, even past the end.
	f.Seek(200_000, io.SeekStart)
	if n, err := f.ReadFrom(strings.NewReader("")); n != 0 || err != nil {
		t.Fatalf("empty ReadFrom = %d, %v", n, err)
	}
	shmCheckSize(t, f, 100_000)
	// A reader error stops the copy, keeps what was read and is returned.
	f.Seek(100_000, io.SeekStart)
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom))
	if n, err := f.ReadFrom(r); n != 3 || err != boom {
		t.Fatalf("ReadFrom failing reader = %d, %v; want 3, boom", n, err)
	}
	shmCheckSize(t, f, 100_003)
}

func TestShmFileCopyToItselfIsRefused(t *testing.T) {
	f, _ := shmCreate(t, 10)
	if _, err := io.Copy(f, f); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("io.Copy(f, f) = %v; want EINVAL", err)
	}
	if _, err := f.ReadFrom(f); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("f.ReadFrom(f) = %v; want EINVAL", err)
	}
}

func TestShmFileWriteToReportsShortWrite(t *testing.T) {
	f, _ := shmCreate(t, 0)
	f.Write([]byte("0123456789"))
	f.Seek(0, io.SeekStart)
	var w shmShortWriter
	if n, err := f.WriteTo(&w); n != 3 || err != io.ErrShortWrite {
		t.Errorf("WriteTo short writer = %d, %v; want 3, io.ErrShortWrite", n, err)
	}
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != 3 {
		t.Errorf("offset after short write = %d; want 3", pos)
	}
}

type shmShortWriter struct{}

func (*shmShortWriter) Write(p []byte) (int, error) { return min(3, len(p)), nil }

func TestShmFileBytesAreTheSharedMemory(t *testing.T) {
	f, name := shmCreate(t, 16)
	b, err := f.Bytes()
	if err != nil || len(b) != 16 {
		t.Fatalf("Bytes() = %d bytes, %v", len(b), err)
	}
	copy(b, "zero-copy write!")
	g := shmOpenT(t, name, os.O_RDONLY)
	shmCheckContent(t, g, "zero-copy write!")
	// Grow far past the mapping: the old slice stays valid and shared.
	if _, err := f.WriteAt([]byte("end"), 8<<20); err != nil {
		t.Fatal(err)
	}
	copy(b, "still valid")
	got := make([]byte, 11)
	if _, err := g.ReadAt(got, 0); err != nil || string(got) != "still valid" {
		t.Errorf("after growth, store through old slice read back as %q, %v", got, err)
	}
	b2, err := f.Bytes()
	if err != nil || len(b2) != 8<<20+3 || string(b2[8<<20:]) != "end" {
		t.Errorf("Bytes() after growth = %d bytes, %v", len(b2), err)
	}
	// A growth made by another handle shows in a fresh Bytes.
	h := shmOpenT(t, name, os.O_RDWR)
	if err := h.Truncate(16 << 20); err != nil {
		t.Fatal(err)
	}
	if b3, err := f.Bytes(); err != nil || len(b3) != 16<<20 {
		t.Errorf("Bytes() after another handle grew it = %d bytes, %v", len(b3), err)
	}
}

func TestShmFileSeesGrowthByAnotherHandle(t *testing.T) {
	f, name := shmCreate(t, 10)
	g := shmOpenT(t, name, os.O_RDWR)
	if _, err := g.WriteAt([]byte("beyond the first mapping"), 1<<20); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Size(); n != 1<<20+24 || err != nil {
		t.Errorf("Size() = %d, %v", n, err)
	}
	b := make([]byte, 24)
	if _, err := f.ReadAt(b, 1<<20); err != nil || string(b) != "beyond the first mapping" {
		t.Errorf("ReadAt past own mapping = %q, %v", b, err)
	}
	if pos, err := f.Seek(0, io.SeekEnd); pos != 1<<20+24 || err != nil {
		t.Errorf("Seek end = %d, %v", pos, err)
	}
}

func TestShmFileStatIsARegularFile(t *testing.T) {
	f, name := shmCreateMode(t, 0o640)
	f.Truncate(12345)
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Fatalf("Sys() = %T; want *syscall.Stat_t", fi.Sys())
	}
	host, err := os.Stat(shmHostPath(name))
	if err != nil {
		t.Fatal(err)
	}
	hostSt := host.Sys().(*syscall.Stat_t)
	if fi.Name() != name[1:] || fi.Size() != 12345 || !fi.Mode().IsRegular() || fi.IsDir() ||
		fi.Mode() != host.Mode() || !fi.ModTime().Equal(host.ModTime()) || st.Ino != hostSt.Ino {
		t.Errorf("Stat() = %s %d %v %v ino %d; host file: %s %d %v %v ino %d",
			fi.Name(), fi.Size(), fi.Mode(), fi.ModTime(), st.Ino,
			host.Name(), host.Size(), host.Mode(), host.ModTime(), hostSt.Ino)
	}
}

func TestShmFileSyncSucceeds(t *testing.T) {
	f, _ := shmCreate(t, 0)
	if err := f.Sync(); err != nil { // nothing mapped yet
		t.Errorf("Sync on empty segment: %v", err)
	}
	f.Write([]byte("x"))
	if err := f.Sync(); err != nil {
		t.Errorf("Sync: %v", err)
	}
}

func TestShmFileMethodsAfterCloseFailWithErrClosed(t *testing.T) {
	f, _ := shmCreate(t, 100)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for desc, call := range shmAllMethods(f) {
		if err := call(); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s after Close = %v; want fs.ErrClosed", desc, err)
		}
	}
	if fd := f.Fd(); fd != ^uintptr(0) {
		t.Errorf("Fd() after Close = %d; want ^uintptr(0)", fd)
	}
	if f.Name() == "" {
		t.Error("Name() after Close is empty")
	}
}

func TestShmFileMethodsOnNilHandleFailWithErrInvalid(t *testing.T) {
	var f *ShmFile
	for desc, call := range shmAllMethods(f) {
		if err := call(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s on nil = %v; want fs.ErrInvalid", desc, err)
		}
	}
	if f.Fd() != ^uintptr(0) || f.Name() != "" {
		t.Errorf("nil Fd() = %d, Name() = %q", f.Fd(), f.Name())
	}
}

func shmAllMethods(f *ShmFile) map[string]func() error {
	b := make([]byte, 10)
	return map[string]func() error{
		"Read":     func() error { _, err := f.Read(b); return err },
		"ReadAt":   func() error { _, err := f.ReadAt(b, 0); return err },
		"Write":    func() error { _, err := f.Write(b); return err },
		"WriteAt":  func() error { _, err := f.WriteAt(b, 0); return err },
		"Seek":     func() error { _, err := f.Seek(0, io.SeekEnd); return err },
		"ReadFrom": func() error { _, err := f.ReadFrom(strings.NewReader("x")); return err },
		"WriteTo":  func() error { _, err := f.WriteTo(io.Discard); return err },
		"Stat":     func() error { _, err := f.Stat(); return err },
		"Size":     func() error { _, err := f.Size(); return err },
		"Truncate": func() error { return f.Truncate(1) },
		"Sync":     func() error { return f.Sync() },
		"Bytes":    func() error { _, err := f.Bytes(); return err },
		"Close":    func() error { return f.Close() },
	}
}

func relCheckFullTmpfs(c *relChild) {
	const tmpfsSize = 1 << 20 // mounted by the parent at /dev/shm
	// A new segment bigger than the file system: the open fails and removes
	// what it created.
	name := relChildName("big")
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 2*tmpfsSize)
	if err == nil {
		// ftruncate makes a sparse file; only writes need pages.
		c.okf("a sparse segment larger than tmpfs opens")
		_, werr := f.WriteAt(make([]byte, tmpfsSize+tmpfsSize/2), 0)
		c.check(errors.Is(werr, syscall.ENOSPC), "filling a sparse segment past tmpfs", "%v; want ENOSPC", werr)
		f.Close()
		RemoveShm(name)
	} else {
		c.check(errors.Is(err, syscall.ENOSPC), "segment larger than tmpfs", "%v; want ENOSPC", err)
		_, serr := os.Lstat("/dev/shm/" + name[1:])
		c.check(errors.Is(serr, fs.ErrNotExist), "segment larger than tmpfs: nothing half-created", "%v", serr)
	}

	// Growing by writes: ENOSPC at the write that does not fit; what was
	// written before stays.
	name = relChildName("grow")
	f, err = OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 4096)
	if err != nil {
		c.failf("small segment: %v", err)
		return
	}
	defer func() { f.Close(); RemoveShm(name) }()
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i % 251)
	}
	var off int64
	for ; off < 4*tmpfsSize; off += int64(len(chunk)) {
		if _, err = f.WriteAt(chunk, off); err != nil {
			break
		}
	}
	c.check(errors.Is(err, syscall.ENOSPC), "growing a segment past tmpfs", "%v at offset %d; want ENOSPC", err, off)
	got := make([]byte, len(chunk))
	_, rerr := f.ReadAt(got, 0)
	c.check(rerr == nil && string(got) == string(chunk), "data before ENOSPC intact", "%v", rerr)

	// tmpfs is now (nearly) full. Truncate up makes a hole; writing into the
	// hole is ENOSPC, not SIGBUS.
	if size, err := f.Size(); err == nil {
		terr := f.Truncate(size + 4*tmpfsSize)
		if terr == nil {
			_, werr := f.WriteAt(chunk, size+tmpfsSize)
			c.check(errors.Is(werr, syscall.ENOSPC), "writing into a hole on a full tmpfs", "%v; want ENOSPC", werr)
			_, werr = f.Write(chunk)
			c.check(werr == nil || errors.Is(werr, syscall.ENOSPC), "Write on a full tmpfs", "%v", werr)
		} else {
			c.check(errors.Is(terr, syscall.ENOSPC), "truncate up on a full tmpfs", "%v", terr)
		}
	}

	// Fill whatever is left, then a semaphore cannot be made (its 16 or 32 bytes
	// need a page) and leaves no temporary file behind.
	filler, err := os.OpenFile("/dev/shm/filler", os.O_RDWR|os.O_CREATE, 0o600)
	if err == nil {
		for {
			if _, err := filler.Write(chunk[:4096]); err != nil {
				break
			}
		}
		defer func() { filler.Close(); os.Remove("/dev/shm/filler") }()
	}
	before := relShmEntries()
	semName := relChildName("sem")
	s, err := OpenSem(semName, os.O_CREATE|os.O_EXCL, 0o600, 1)
	if err == nil {
		s.Close()
		RemoveSem(semName)
	}
	c.check(errors.Is(err, syscall.ENOSPC), "semaphore on a full tmpfs", "%v; want ENOSPC", err)
	after := relShmEntries()
	c.check(fmt.Sprint(before) == fmt.Sprint(after), "semaphore on a full tmpfs: nothing half-created",
		"/dev/shm was %v, now %v", before, after)
}

func TestReliabilityFullTmpfs(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	relRunChild(t, "rel-limits", relChildOpts{mntNS: true, env: []string{"REL_CHECK=full-tmpfs"},
		setup: "mount -t tmpfs -o size=1m,mode=1777 tmpfs /dev/shm"})
}

func TestShmFileConcurrentWritersGrowingTheSegmentLoseNothing(t *testing.T) {
	f, _ := shmCreate(t, 0)
	const writers, blocks, blockSize = 8, 64, 3000 // odd size: blocks straddle pages
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for b := range blocks {
				// Interleaved blocks, written in an order that keeps growing
				// the segment from many goroutines at once.
				i := b*writers + w
				block := bytes.Repeat([]byte{byte('a' + w)}, blockSize)
				if _, err := f.WriteAt(block, int64(i*blockSize)); err != nil {
					t.Errorf("WriteAt block %d: %v", i, err)
					return
				}
				got := make([]byte, blockSize)
				if _, err := f.ReadAt(got, int64(i*blockSize)); err != nil || !bytes.Equal(got, block) {
					t.Errorf("ReadAt block %d right after writing it: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	shmCheckSize(t, f, writers*blocks*blockSize)
	all := make([]byte, writers*blocks*blockSize)
	if _, err := f.ReadAt(all, 0); err != nil {
		t.Fatal(err)
	}
	for i := range writers * blocks {
		want := byte('a' + i%writers)
		if got := all[i*blockSize : (i+1)*blockSize]; !bytes.Equal(got, bytes.Repeat([]byte{want}, blockSize)) {
			t.Fatalf("block %d holds %q...; want all %q", i, got[:8], want)
		}
	}
}

func TestShmFileConcurrentReadWriteWithReadersBytesAndClose(t *testing.T) {
	f, _ := shmCreate(t, 4096)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	unexpected := map[string]error{}
	ops := map[string]func(i int) error{
		"WriteAt": func(i int) error { _, err := f.WriteAt([]byte("concurrent"), int64(i*97%20000)); return err },
		"ReadAt": func(i int) error {
			_, err := f.ReadAt(make([]byte, 100), int64(i*31%8000))
			if err == io.EOF {
				err = nil
			}
			return err
		},
		"Write":    func(i int) error { _, err := f.Write([]byte("append ")); return err },
		"Read":     func(i int) error { _, err := f.Read(make([]byte, 50)); return shmNilIfEOF(err) },
		"Seek":     func(i int) error { _, err := f.Seek(int64(i%5000), io.SeekStart); return err },
		"Size":     func(i int) error { _, err := f.Size(); return err },
		"Stat":     func(i int) error { _, err := f.Stat(); return err },
		"Truncate": func(i int) error { return f.Truncate(int64(4096 + i%30000)) },
		"Sync":     func(i int) error { return f.Sync() },
		"WriteTo":  func(i int) error { f.Seek(0, io.SeekStart); _, err := f.WriteTo(io.Discard); return err },
		"ReadFrom": func(i int) error {
			_, err := f.ReadFrom(bytes.NewReader(make([]byte, 1000)))
			if errors.Is(err, ErrShmShrunk) {
				// Truncate (above) shrank the space ReadFrom had reserved
				// while it was reading: the documented outcome, rare.
				err = nil
			}
			return err
		},
		"Bytes": func(i int) error {
			b, err := f.Bytes()
			if err == nil && len(b) > 0 {
				// Usable until Close, within the size: Truncate above never
				// shrinks below 4096 bytes.
				_ = b[0]
			}
			return err
		},
	}
	var calls sync.Map // op name -> *atomic.Int64
	for name, op := range ops {
		var count atomic.Int64
		calls.Store(name, &count)
		for g := range 2 {
			wg.Go(func() {
				<-start
				for i := g; ; i += 2 {
					err := op(i)
					count.Add(1)
					if errors.Is(err, fs.ErrClosed) {
						return
					}
					if err != nil {
						mu.Lock()
						unexpected[name] = err
						mu.Unlock()
						return
					}
				}
			})
		}
	}
	closed := make(chan error)
	go func() {
		<-start
		// Close once every operation has run a few times (or after 2s: under
		// -race the lock-taking ones are slow), with all of them in flight.
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			least := int64(math.MaxInt64)
			calls.Range(func(_, v any) bool { least = min(least, v.(*atomic.Int64).Load()); return true })
			if least >= 3 {
				break
			}
			runtime.Gosched()
		}
		closed <- f.Close()
	}()
	close(start)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	for name, err := range unexpected {
		t.Errorf("%s: unexpected error %v; want only fs.ErrClosed after Close", name, err)
	}
}

func shmNilIfEOF(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

func TestShmFileGoroutinesSharingAnOffsetNeverReadTheSameBytes(t *testing.T) {
	f, name := shmCreate(t, 0)
	const n = 10000
	data := make([]byte, 0, 4*n)
	for i := range n {
		data = fmt.Appendf(data, "%04d", i)
	}
	f.Write(data)
	g := shmOpenT(t, name, os.O_RDONLY)
	seen := make([]bool, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			b := make([]byte, 4)
			for {
				if _, err := io.ReadFull(g, b); err != nil {
					return
				}
				var i int
				fmt.Sscanf(string(b), "%04d", &i)
				mu.Lock()
				if seen[i] {
					t.Errorf("record %d read twice", i)
				}
				seen[i] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i, ok := range seen {
		if !ok {
			t.Fatalf("record %d never read", i)
		}
	}
}

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
