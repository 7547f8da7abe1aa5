package ipcfs

import (
	"fmt"
	"io"
	"os"
	"testing"
)

// The benchmarks compare a ShmFile (copies through the mapping) with an
// os.File on the same kind of tmpfs file (pread/pwrite system calls). The
// segments are touched once before timing: the first touch of a page of a
// mapping is a page fault, which costs far more than the copy (and, in
// virtual machines with shadow paging, far more still).

func shmBenchFiles(b *testing.B, size int64) map[string]io.ReaderAt {
	f, name := shmCreate(b, size)
	osf, err := os.OpenFile(shmHostPath(name), os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { osf.Close() })
	shmTouch(b, f)
	return map[string]io.ReaderAt{"ShmFile": f, "os.File": osf}
}

func BenchmarkShmReadAt(b *testing.B) {
	for _, size := range []int{64, 4096, 1 << 20} {
		files := shmBenchFiles(b, 4<<20)
		for _, kind := range []string{"ShmFile", "os.File"} {
			b.Run(fmt.Sprintf("%s/%d", kind, size), func(b *testing.B) {
				r := files[kind]
				buf := make([]byte, size)
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					if _, err := r.ReadAt(buf, int64(i*size)%(4<<20-int64(size))); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkShmWriteAt(b *testing.B) {
	for _, size := range []int{64, 4096, 1 << 20} {
		files := shmBenchFiles(b, 4<<20)
		for _, kind := range []string{"ShmFile", "os.File"} {
			b.Run(fmt.Sprintf("%s/%d", kind, size), func(b *testing.B) {
				w := files[kind].(io.WriterAt)
				buf := make([]byte, size)
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					if _, err := w.WriteAt(buf, int64(i*size)%(4<<20-int64(size))); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// shmTouch writes every page of f's current mapping once.
func shmTouch(b *testing.B, f *ShmFile) {
	m, err := f.Bytes()
	if err != nil {
		b.Fatal(err)
	}
	clear(m)
}

// shmSource is an io.Reader of n bytes that fills the caller's buffer (no
// WriterTo, so io.Copy uses the destination's ReadFrom).
type shmSource struct{ n int64 }

func (s *shmSource) Read(p []byte) (int, error) {
	if s.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), s.n)
	clear(p[:k])
	s.n -= k
	return int(k), nil
}

// shmSink is an io.Writer that copies what it gets into a buffer, as a
// consumer would (io.Discard would not even read the bytes).
type shmSink struct{ buf []byte }

func (s *shmSink) Write(p []byte) (int, error) {
	n0 := len(p)
	for len(p) > 0 {
		n := copy(s.buf, p)
		p = p[n:]
	}
	return n0, nil
}

func BenchmarkShmCopy(b *testing.B) {
	const size = 64 << 20
	b.Run("in/ShmFile/grow", func(b *testing.B) {
		f, _ := shmCreate(b, 0)
		b.SetBytes(size)
		for b.Loop() {
			f.Truncate(0)
			f.Seek(0, io.SeekStart)
			if n, err := io.Copy(f, &shmSource{size}); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("in/ShmFile/overwrite", func(b *testing.B) {
		f, _ := shmCreate(b, size)
		shmTouch(b, f)
		b.SetBytes(size)
		for b.Loop() {
			f.Seek(0, io.SeekStart)
			if n, err := io.Copy(f, &shmSource{size}); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("in/os.File", func(b *testing.B) {
		_, name := shmCreate(b, 0)
		osf, err := os.OpenFile(shmHostPath(name), os.O_RDWR, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer osf.Close()
		b.SetBytes(size)
		for b.Loop() {
			osf.Truncate(0)
			osf.Seek(0, io.SeekStart)
			if n, err := io.Copy(osf, &shmSource{size}); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("out/ShmFile", func(b *testing.B) {
		f, _ := shmCreate(b, size)
		shmTouch(b, f)
		sink := &shmSink{buf: make([]byte, 1<<20)}
		b.SetBytes(size)
		for b.Loop() {
			f.Seek(0, io.SeekStart)
			if n, err := io.Copy(sink, f); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("out/os.File", func(b *testing.B) {
		_, name := shmCreate(b, size)
		osf, err := os.Open(shmHostPath(name))
		if err != nil {
			b.Fatal(err)
		}
		defer osf.Close()
		sink := &shmSink{buf: make([]byte, 1<<20)}
		b.SetBytes(size)
		for b.Loop() {
			osf.Seek(0, io.SeekStart)
			if n, err := io.Copy(sink, osf); n != size || err != nil {
				b.Fatal(n, err)
			}
		}
	})
}
