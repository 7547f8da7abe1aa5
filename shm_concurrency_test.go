package ipcfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

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
			if errors.Is(err, ErrSegmentShrunk) {
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
