package bench

import (
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
)

const (
	shmSize  = 256 << 20 // bytes copied per pass, as SIZE in c/shm_copy.c
	shmChunk = 32 << 10  // bytes per Read of the source, as CHUNK
)

// chunkReader yields left bytes in Reads of at most len(chunk) bytes. It
// implements only io.Reader, so io.Copy into a segment goes through the
// segment's ReadFrom.
type chunkReader struct {
	chunk []byte
	left  int64
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), int64(len(r.chunk)), r.left))
	copy(p[:n], r.chunk)
	r.left -= int64(n)
	return n, nil
}

// shmCopy creates a segment of size bytes, copies size bytes into it with
// io.Copy from a chunkReader once untimed (faulting the pages in, as the C
// program does), then passes times timed, and returns the time those took.
// Same work as c/shm_copy.c. With grow, the segment starts empty and every
// pass truncates it to 0 first, so io.Copy grows it: c/shm_grow.c's work.
func shmCopy(size, chunk int64, passes int, grow bool, c clock) (time.Duration, error) {
	name := objName("-shm")
	initial := size
	if grow {
		initial = 0
	}
	seg, err := ipcfs.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, initial)
	if err != nil {
		return 0, err
	}
	defer seg.Close()
	ipcfs.RemoveShm(name)
	src := &chunkReader{chunk: make([]byte, chunk)}
	for i := range src.chunk {
		src.chunk[i] = byte(i)
	}
	pass := func() error {
		if grow {
			if err := seg.Truncate(0); err != nil {
				return err
			}
		}
		if _, err := seg.Seek(0, io.SeekStart); err != nil {
			return err
		}
		src.left = size
		n, err := io.Copy(seg, src)
		if err == nil && n != size {
			err = fmt.Errorf("copied %d bytes, want %d", n, size)
		}
		return err
	}
	if err := pass(); err != nil {
		return 0, err
	}
	c.start()
	start := time.Now()
	for range passes {
		if err := pass(); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	c.stop()
	return d, nil
}

// BenchmarkShmCopy: GB/s is the bandwidth of io.Copy of 256 MiB into a
// segment already that size (OpenShm's size), from a reader yielding 32 KiB
// per Read: the reader writes straight into the shared pages. One op is one
// 256 MiB pass.
func BenchmarkShmCopy(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(shmSize)
	d, err := shmCopy(shmSize, shmChunk, b.N, false, benchClock(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(shmSize)*float64(b.N)/d.Seconds()/1e9, "GB/s")
}

// BenchmarkShmCopyGrow is BenchmarkShmCopy into a segment that starts
// empty: each Read goes to a buffer, and the segment grows by what it
// returned (pwrite).
func BenchmarkShmCopyGrow(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(shmSize)
	d, err := shmCopy(shmSize, shmChunk, b.N, true, benchClock(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(shmSize)*float64(b.N)/d.Seconds()/1e9, "GB/s")
}

func TestShmCopyRuns(t *testing.T) {
	for _, grow := range []bool{false, true} {
		d, err := shmCopy(1<<20, shmChunk, 2, grow, noClock)
		skipUnsupported(t, err)
		if err != nil {
			t.Fatal(err)
		}
		if d <= 0 {
			t.Errorf("elapsed %v, want > 0", d)
		}
	}
}

// shmPair creates a segment of size bytes and opens its file a second time
// as an *os.File (pread/pwrite system calls on the same tmpfs file), with
// every page touched once: the first touch of a page is a fault, which
// costs far more than a copy. The name is removed at once; the handles
// close when b ends.
func shmPair(b *testing.B, size int64) (*ipcfs.ShmFile, *os.File) {
	b.Helper()
	name := objName("-shm")
	seg, err := ipcfs.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, size)
	if err != nil {
		b.Fatal(err)
	}
	osf, err := os.OpenFile("/dev/shm/"+name[1:], os.O_RDWR, 0)
	ipcfs.RemoveShm(name)
	if err != nil {
		seg.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() { seg.Close(); osf.Close() })
	m, err := seg.Bytes()
	if err != nil {
		b.Fatal(err)
	}
	clear(m)
	return seg, osf
}

// BenchmarkShmReadAt compares ReadAt of a ShmFile (a copy out of the
// mapping) with ReadAt of an *os.File on the same file (pread), for reads
// of 64 B, 4 KiB and 1 MiB.
func BenchmarkShmReadAt(b *testing.B) {
	const span = 4 << 20
	for _, size := range []int{64, 4096, 1 << 20} {
		seg, osf := shmPair(b, span)
		for _, f := range []struct {
			kind string
			r    io.ReaderAt
		}{{"ShmFile", seg}, {"os.File", osf}} {
			b.Run(fmt.Sprintf("%s/%d", f.kind, size), func(b *testing.B) {
				buf := make([]byte, size)
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					if _, err := f.r.ReadAt(buf, int64(i*size)%(span-int64(size))); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkShmWriteAt is BenchmarkShmReadAt for writes (pwrite).
func BenchmarkShmWriteAt(b *testing.B) {
	const span = 4 << 20
	for _, size := range []int{64, 4096, 1 << 20} {
		seg, osf := shmPair(b, span)
		for _, f := range []struct {
			kind string
			w    io.WriterAt
		}{{"ShmFile", seg}, {"os.File", osf}} {
			b.Run(fmt.Sprintf("%s/%d", f.kind, size), func(b *testing.B) {
				buf := make([]byte, size)
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					if _, err := f.w.WriteAt(buf, int64(i*size)%(span-int64(size))); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// zeroSource is an io.Reader of n bytes that fills the caller's buffer (no
// WriterTo, so io.Copy uses the destination's ReadFrom).
type zeroSource struct{ n int64 }

func (s *zeroSource) Read(p []byte) (int, error) {
	if s.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), s.n)
	clear(p[:k])
	s.n -= k
	return int(k), nil
}

// copySink is an io.Writer that copies what it gets into a buffer, as a
// consumer would (io.Discard would not even read the bytes).
type copySink struct{ buf []byte }

func (s *copySink) Write(p []byte) (int, error) {
	n0 := len(p)
	for len(p) > 0 {
		n := copy(s.buf, p)
		p = p[n:]
	}
	return n0, nil
}

// BenchmarkShmCopyVsOSFile compares io.Copy of 64 MiB into and out of a
// ShmFile (ReadFrom and WriteTo on the mapping; into a segment that grows,
// or that already has its size) with the same copies on an *os.File of
// the same tmpfs file.
func BenchmarkShmCopyVsOSFile(b *testing.B) {
	const size = 64 << 20
	b.Run("in/ShmFile/grow", func(b *testing.B) {
		seg, _ := shmPair(b, 0)
		b.SetBytes(size)
		for b.Loop() {
			seg.Truncate(0)
			seg.Seek(0, io.SeekStart)
			if n, err := io.Copy(seg, &zeroSource{size}); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("in/ShmFile/overwrite", func(b *testing.B) {
		seg, _ := shmPair(b, size)
		b.SetBytes(size)
		for b.Loop() {
			seg.Seek(0, io.SeekStart)
			if n, err := io.Copy(seg, &zeroSource{size}); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("in/os.File", func(b *testing.B) {
		_, osf := shmPair(b, 0)
		b.SetBytes(size)
		for b.Loop() {
			osf.Truncate(0)
			osf.Seek(0, io.SeekStart)
			if n, err := io.Copy(osf, &zeroSource{size}); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("out/ShmFile", func(b *testing.B) {
		seg, _ := shmPair(b, size)
		sink := &copySink{buf: make([]byte, 1<<20)}
		b.SetBytes(size)
		for b.Loop() {
			seg.Seek(0, io.SeekStart)
			if n, err := io.Copy(sink, seg); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("out/os.File", func(b *testing.B) {
		_, osf := shmPair(b, size)
		sink := &copySink{buf: make([]byte, 1<<20)}
		b.SetBytes(size)
		for b.Loop() {
			osf.Seek(0, io.SeekStart)
			if n, err := io.Copy(sink, osf); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
}
