//go:build linux

package ipcfs

// Shared memory offsets and lengths: ReadAt, WriteAt, Seek, Read, Write and
// Truncate with any values behave like a file (checked against an in-memory
// model) or fail with an error; never a panic. Bounded fuzzing:
// go test -run='^$' -fuzz='^FuzzShmOffsets$' -fuzztime=20s .

import (
	"bytes"
	"io"
	"math"
	"os"
	"testing"
)

// relShmFuzzLimit bounds the segment the fuzzer may grow: writes and
// truncations further out are folded back below it (reads are not).
const relShmFuzzLimit = 1 << 20

// relFold keeps a non-negative offset or size under relShmFuzzLimit and
// leaves negative ones alone, to be refused.
func relFold(v int64) int64 {
	if v < 0 {
		return v
	}
	return v % relShmFuzzLimit
}

// relReadAtModel is what io.ReaderAt says ReadAt(make([]byte, n), off) on
// content returns: the bytes, and whether the error is nil, io.EOF or
// another error.
func relReadAtModel(content []byte, off int64, n int) ([]byte, string) {
	switch {
	case off < 0:
		return nil, "error"
	case n == 0:
		return nil, "nil"
	case off >= int64(len(content)):
		return nil, "EOF"
	case off+int64(n) > int64(len(content)):
		return content[off:], "EOF"
	}
	return content[off : off+int64(n)], "nil"
}

func relErrClass(err error) string {
	switch {
	case err == nil:
		return "nil"
	case err == io.EOF:
		return "EOF"
	}
	return "error"
}

func FuzzShmOffsets(f *testing.F) {
	f.Add(uint8(0), int64(0), uint16(10), uint8(0), int64(0))
	f.Add(uint8(0), int64(-1), uint16(1), uint8(0), int64(0))
	f.Add(uint8(0), int64(math.MaxInt64), uint16(1), uint8(0), int64(0))
	f.Add(uint8(1), int64(4095), uint16(2), uint8(0), int64(0))
	f.Add(uint8(1), int64(-5), uint16(2), uint8(0), int64(0))
	f.Add(uint8(1), int64(math.MaxInt64-1), uint16(5), uint8(0), int64(0))
	f.Add(uint8(2), int64(0), uint16(0), uint8(0), int64(-1))
	f.Add(uint8(2), int64(0), uint16(0), uint8(0), int64(math.MaxInt64))
	f.Add(uint8(2), int64(0), uint16(0), uint8(0), int64(0))
	f.Add(uint8(3), int64(-1), uint16(4), uint8(0), int64(0))
	f.Add(uint8(3), int64(math.MaxInt64), uint16(4), uint8(1), int64(0))
	f.Add(uint8(3), int64(math.MinInt64), uint16(4), uint8(2), int64(0))
	f.Add(uint8(3), int64(10), uint16(4), uint8(3), int64(0))
	f.Add(uint8(4), int64(100), uint16(300), uint8(0), int64(0))
	f.Add(uint8(4), int64(relShmFuzzLimit-1), uint16(65535), uint8(2), int64(0))

	name := uniqueName(f)
	shm, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 4096)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { shm.Close(); RemoveShm(name) })

	f.Fuzz(func(t *testing.T, op uint8, off int64, n uint16, whence uint8, size int64) {
		// The model starts as the segment's current content.
		cur, err := shm.Size()
		if err != nil {
			t.Fatal(err)
		}
		model := make([]byte, cur)
		if _, err := io.ReadFull(io.NewSectionReader(shm, 0, cur), model); err != nil {
			t.Fatal(err)
		}
		if _, err := shm.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		data := relPayload(int(n))

		switch op % 5 {
		case 0: // ReadAt anywhere
			buf := make([]byte, n)
			got, err := shm.ReadAt(buf, off)
			want, class := relReadAtModel(model, off, int(n))
			if relErrClass(err) != class || got != len(want) || !bytes.Equal(buf[:got], want) {
				t.Fatalf("ReadAt(%d bytes, %d) on %d bytes = %d, %v; want %d, %s", n, off, len(model), got, err, len(want), class)
			}
		case 1: // WriteAt, folded unless it must fail
			off = relFold(off)
			got, err := shm.WriteAt(data, off)
			if off < 0 {
				if err == nil {
					t.Fatalf("WriteAt at %d succeeded", off)
				}
				break
			}
			if err != nil || got != len(data) {
				t.Fatalf("WriteAt(%d bytes, %d) = %d, %v", len(data), off, got, err)
			}
			if len(data) > 0 {
				if end := off + int64(len(data)); end > int64(len(model)) {
					model = append(model, make([]byte, end-int64(len(model)))...)
				}
				copy(model[off:], data)
			}
		case 2: // Truncate
			size = relFold(size)
			err := shm.Truncate(size)
			if size < 0 {
				if err == nil {
					t.Fatalf("Truncate(%d) succeeded", size)
				}
				break
			}
			if err != nil {
				t.Fatalf("Truncate(%d): %v", size, err)
			}
			if size <= int64(len(model)) {
				model = model[:size]
			} else {
				model = append(model, make([]byte, size-int64(len(model)))...)
			}
		case 3: // Seek with any offset and whence, then Read
			w := int(whence % 4)
			pos, err := shm.Seek(off, w)
			var base int64
			if w == io.SeekEnd {
				base = int64(len(model))
			}
			valid := w <= io.SeekEnd && !(off > 0 && base > math.MaxInt64-off) && base+off >= 0
			if !valid {
				if err == nil {
					t.Fatalf("Seek(%d, %d) = %d; want an error", off, w, pos)
				}
				break
			}
			if err != nil || pos != base+off {
				t.Fatalf("Seek(%d, %d) = %d, %v; want %d", off, w, pos, err, base+off)
			}
			buf := make([]byte, n)
			got, err := shm.Read(buf)
			want, class := relReadAtModel(model, pos, int(n))
			if class == "EOF" && len(want) > 0 {
				class = "nil" // Read returns what there is without io.EOF
			}
			if got != len(want) || !bytes.Equal(buf[:got], want) || (relErrClass(err) != class && !(n == 0 && err == nil)) {
				t.Fatalf("Read(%d) at %d of %d bytes = %d, %v; want %d, %s", n, pos, len(model), got, err, len(want), class)
			}
		case 4: // Seek inside the limit, then Write
			w := int(whence % 3)
			if w == io.SeekCurrent {
				w = io.SeekStart
			}
			target := relFold(off)
			if target < 0 {
				target = -target % relShmFuzzLimit
			}
			seekOff := target
			if w == io.SeekEnd {
				seekOff = target - int64(len(model))
			}
			if _, err := shm.Seek(seekOff, w); err != nil {
				t.Fatalf("Seek(%d, %d): %v", seekOff, w, err)
			}
			got, err := shm.Write(data)
			if err != nil || got != len(data) {
				t.Fatalf("Write(%d bytes) at %d: %d, %v", len(data), target, got, err)
			}
			if len(data) > 0 {
				if end := target + int64(len(data)); end > int64(len(model)) {
					model = append(model, make([]byte, end-int64(len(model)))...)
				}
				copy(model[target:], data)
			}
		}

		size2, err := shm.Size()
		if err != nil || size2 != int64(len(model)) {
			t.Fatalf("size after op %d: %d, %v; want %d", op%5, size2, err, len(model))
		}
		all := make([]byte, size2)
		if _, err := io.ReadFull(io.NewSectionReader(shm, 0, size2), all); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(all, model) {
			t.Fatalf("content after op %d differs from the model", op%5)
		}
		if size2 > relShmFuzzLimit {
			// Keep the next iteration fast.
			if err := shm.Truncate(4096); err != nil {
				t.Fatal(err)
			}
		}
	})
}
