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
// Same work as c/shm_copy.c.
func shmCopy(size, chunk int64, passes int, c clock) (time.Duration, error) {
	name := objName("-shm")
	seg, err := ipcfs.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, size)
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
// segment, from a reader yielding 32 KiB per Read; one op is one 256 MiB pass.
func BenchmarkShmCopy(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(shmSize)
	d, err := shmCopy(shmSize, shmChunk, b.N, benchClock(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(shmSize)*float64(b.N)/d.Seconds()/1e9, "GB/s")
}

func TestShmCopyRuns(t *testing.T) {
	d, err := shmCopy(1<<20, shmChunk, 2, noClock)
	skipUnsupported(t, err)
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Errorf("elapsed %v, want > 0", d)
	}
}
