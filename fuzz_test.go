//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Fuzzers: names and namespace paths, queue payloads, segment offsets. Each
// runs its seed corpus in go test; .ci/run also fuzzes each for a while.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// relCheckHostPath fails t unless p is a plain file name directly inside the
// directory that holds objects of kind k, which is the whole promise
// internal/kind's HostPath makes.
func relCheckHostPath(t *testing.T, k *kind.Kind, n, p string) {
	t.Helper()
	wantDir := strings.TrimSuffix(kind.ShmDir, "/")
	if k == kind.Mq {
		wantDir = strings.TrimSuffix(kind.MqueueDir, "/")
	}
	base := filepath.Base(p)
	switch {
	case filepath.Clean(p) != p:
		t.Fatalf("host path %q for name %q is not clean", p, n)
	case filepath.Dir(p) != wantDir:
		t.Fatalf("host path %q for name %q is outside %s", p, n, wantDir)
	case base == "." || base == ".." || base == "/":
		t.Fatalf("host path %q for name %q names a directory", p, n)
	case len(base) > 255:
		t.Fatalf("host path %q for name %q has a component over NAME_MAX", p, n)
	case strings.ContainsRune(p, 0):
		t.Fatalf("host path %q for name %q holds a NUL byte", p, n)
	case k == kind.Sem && !strings.HasPrefix(base, kind.SemPrefix):
		t.Fatalf("semaphore %q maps to %q, outside glibc's sem.* files", n, p)
	case k == kind.Shm && strings.HasPrefix(base, kind.SemPrefix):
		t.Fatalf("segment %q maps to %q, a semaphore's file", n, p)
	}
}

// FuzzNameRules checks CleanName for every kind: an accepted name is one
// path component inside its kind's directory, is stable under cleaning, and
// a refused one is fs.ErrInvalid inside the error.
func FuzzNameRules(f *testing.F) {
	for _, n := range relHostileNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, dir := range relKindDirs {
			k := relKind(dir)
			n, err := CleanName(dir, name)
			if err != nil {
				if !errors.Is(err, fs.ErrInvalid) {
					t.Fatalf("CleanName(%q, %q) error %v is not fs.ErrInvalid", dir, name, err)
				}
				if n != "" {
					t.Fatalf("CleanName(%q, %q) returned %q with error %v", dir, name, n, err)
				}
				continue
			}
			if n != strings.TrimPrefix(name, "/") {
				t.Fatalf("CleanName(%q, %q) = %q; want the name without one leading slash", dir, name, n)
			}
			if n == "" || strings.ContainsAny(n, "/\x00") || n == "." || n == ".." {
				t.Fatalf("CleanName(%q, %q) accepted %q", dir, name, n)
			}
			relCheckHostPath(t, k, n, k.HostPath(n))
			if again, err := CleanName(dir, "/"+n); err != nil || again != n {
				t.Fatalf("CleanName(%q, %q) = %q, %v; want %q again", dir, "/"+n, again, err, n)
			}
		}
		if _, err := CleanName("../shm", name); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("CleanName with a bad kind directory: %v; want fs.ErrNotExist", err)
		}
	})
}

// relNamespacePathSeeds are namespace paths (fs.ValidPath style) built from
// the hostile names under each directory, plus paths that are not valid.
func relNamespacePathSeeds() []string {
	seeds := []string{".", "", "/", "shm", "mq", "sem", "shm/", "/shm/x", "shm//x", "shm/./x",
		"shm/../sem/x", "shm/x/y", "etc/passwd", "..", "../shm/x", "proc/self/mem", "dev/shm/x"}
	for _, dir := range relKindDirs {
		for _, n := range relHostileNames {
			seeds = append(seeds, dir+"/"+n)
		}
	}
	return seeds
}

// FuzzNamespacePath checks (*FS).Stat and (*FS).Open with any path: no
// panic; a path that fs.ValidPath refuses, or whose object name breaks the
// name rules, fails with fs.ErrInvalid without touching the host; any other
// outcome concerns an object in the right host directory. Open is read-only,
// so the fuzzer never creates or changes anything.
func FuzzNamespacePath(f *testing.F) {
	for _, p := range relNamespacePathSeeds() {
		f.Add(p)
	}
	ns := New()
	f.Fuzz(func(t *testing.T, p string) {
		dir, name, splitErr := SplitPath("stat", p)
		validName := splitErr == nil && name != ""
		if validName {
			if _, err := CleanName(dir, name); err != nil {
				t.Fatalf("SplitPath(%q) accepted name %q that CleanName refuses: %v", p, name, err)
			}
		}

		fi, err := ns.Stat(p)
		relCheckNamespaceResult(t, "stat", p, err, splitErr)
		if err == nil && validName {
			relCheckSameHostObject(t, p, dir, name, fi)
		}

		file, err := ns.Open(p)
		relCheckNamespaceResult(t, "open", p, err, splitErr)
		if err == nil {
			if validName {
				if fi, serr := file.Stat(); serr == nil {
					relCheckSameHostObject(t, p, dir, name, fi)
				}
			}
			if cerr := file.Close(); cerr != nil {
				t.Fatalf("Close of %q: %v", p, cerr)
			}
		}
	})
}

// relCheckNamespaceResult checks the error of a namespace call on p against
// what SplitPath says of p.
func relCheckNamespaceResult(t *testing.T, op, p string, err, splitErr error) {
	t.Helper()
	if err == nil {
		if splitErr != nil {
			t.Fatalf("%s(%q) succeeded; SplitPath refused it: %v", op, p, splitErr)
		}
		return
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("%s(%q) error %v (%T) is not an *fs.PathError", op, p, err, err)
	}
	if splitErr != nil {
		if errors.Is(splitErr, fs.ErrInvalid) != errors.Is(err, fs.ErrInvalid) {
			t.Fatalf("%s(%q) error %v; SplitPath says %v", op, p, err, splitErr)
		}
		return
	}
	if relIsNameRuleError(err) {
		// A valid path may still fail for other reasons (no such object,
		// a corrupt object), but never with a name-rule error.
		t.Fatalf("%s(%q) = %v: a valid path was refused as an invalid name", op, p, err)
	}
}

// relCheckSameHostObject checks that the FileInfo the namespace returned for
// dir/name describes the host file kind.HostPath gives (same device and inode),
// so the library looked nowhere else.
func relCheckSameHostObject(t *testing.T, p, dir, name string, fi fs.FileInfo) {
	t.Helper()
	var st *syscall.Stat_t
	switch sys := fi.Sys().(type) {
	case *syscall.Stat_t:
		st = sys
	case SemInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	case *SemInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	case MqInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	case *MqInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	}
	k := relKind(dir)
	if st == nil || k == kind.Mq && mqueueMount() != nil {
		return // no raw stat, or no host file (this namespace's mqueue fs is not at /dev/mqueue)
	}
	n, _ := CleanName(dir, name)
	var host syscall.Stat_t
	if err := syscall.Lstat(k.HostPath(n), &host); err != nil {
		t.Fatalf("Stat(%q) succeeded but its host file %s: %v", p, k.HostPath(n), err)
	}
	if host.Dev != st.Dev || host.Ino != st.Ino {
		t.Fatalf("Stat(%q) describes dev %d inode %d; host file %s is dev %d inode %d",
			p, st.Dev, st.Ino, k.HostPath(n), host.Dev, host.Ino)
	}
}

func relNewFuzzQueue(tb testing.TB, size int64) *MqFile {
	tb.Helper()
	name := uniqueName(tb)
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NONBLOCK, 0o600, &MqAttr{MaxMessages: 2, MessageSize: size})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { q.Close(); RemoveMq(name) })
	return q
}

func TestReliabilityMqPayloadEveryLengthAndByte(t *testing.T) {
	const size = 512
	q := relNewFuzzQueue(t, size)
	buf := make([]byte, size)
	for n := 0; n <= size; n++ {
		msg := relPayload(n)
		prio := uint(n * 61 % (relPrioMax + 1))
		if n%2 == 0 {
			if err := q.Send(context.Background(), msg, prio); err != nil {
				t.Fatalf("Send of %d bytes: %v", n, err)
			}
			got, gotPrio, err := q.Receive(context.Background(), buf)
			if err != nil || got != n || gotPrio != prio || !bytes.Equal(buf[:got], msg) {
				t.Fatalf("Receive of a %d-byte message at priority %d: %d bytes at %d, %v; content equal %v",
					n, prio, got, gotPrio, err, bytes.Equal(buf[:got], msg))
			}
			continue
		}
		// Odd lengths go through Write and Read, first with a buffer one
		// byte short (io.ErrShortBuffer, the message stays queued).
		if w, err := q.Write(msg); err != nil || w != n {
			t.Fatalf("Write of %d bytes: %d, %v", n, w, err)
		}
		if n > 0 {
			// An empty buffer may also give 0, nil (io.Reader allows it);
			// either way the message stays.
			got, err := q.Read(buf[:n-1])
			if !errors.Is(err, io.ErrShortBuffer) && !(n == 1 && got == 0 && err == nil) {
				t.Fatalf("Read of a %d-byte message into %d bytes: %d, %v; want io.ErrShortBuffer", n, n-1, got, err)
			}
			if a, err := q.Attr(); err != nil || a.CurMessages != 1 {
				t.Fatalf("after a short Read of a %d-byte message: %+v, %v; want it still queued", n, a, err)
			}
		}
		got, err := q.Read(buf[:n])
		if err != nil || got != n || !bytes.Equal(buf[:got], msg) {
			t.Fatalf("Read of a %d-byte message: %d, %v; content equal %v", n, got, err, bytes.Equal(buf[:got], msg))
		}
	}
	// A message one byte too long is refused and nothing is queued.
	if err := q.Send(context.Background(), relPayload(size+1), 0); !errors.Is(err, syscall.EMSGSIZE) {
		t.Fatalf("Send of %d bytes to a %d-byte queue: %v; want EMSGSIZE", size+1, size, err)
	}
	if a, err := q.Attr(); err != nil || a.CurMessages != 0 {
		t.Fatalf("queue after the refused send: %+v, %v; want empty", a, err)
	}
}

// FuzzMqPayload sends any bytes at any priority through a queue and
// receives them back.
func FuzzMqPayload(f *testing.F) {
	const size = 256
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0}, uint16(relPrioMax))
	f.Add([]byte("hello\x00world"), uint16(7))
	f.Add(relPayload(size), uint16(1))
	f.Add(relPayload(size+1), uint16(2))
	f.Add(bytes.Repeat([]byte{0xff}, 100), uint16(relPrioMax+1))
	f.Add([]byte{1}, uint16(65535))
	q := relNewFuzzQueue(f, size)
	buf := make([]byte, size)
	f.Fuzz(func(t *testing.T, msg []byte, prio16 uint16) {
		prio := uint(prio16)
		err := q.Send(context.Background(), msg, prio)
		switch {
		case prio > relPrioMax:
			if !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("Send at priority %d: %v; want EINVAL", prio, err)
			}
		case len(msg) > size:
			if !errors.Is(err, syscall.EMSGSIZE) {
				t.Fatalf("Send of %d bytes: %v; want EMSGSIZE", len(msg), err)
			}
		default:
			if err != nil {
				t.Fatalf("Send of %d bytes at priority %d: %v", len(msg), prio, err)
			}
			n, gotPrio, err := q.Receive(context.Background(), buf)
			if err != nil || gotPrio != prio || !bytes.Equal(buf[:n], msg) {
				t.Fatalf("round trip of %q at %d: got %q at %d, %v", msg, prio, buf[:n], gotPrio, err)
			}
		}
		if a, err := q.Attr(); err != nil || a.CurMessages != 0 {
			t.Fatalf("queue not empty after the round trip: %+v, %v", a, err)
		}
	})
}

// Shared memory offsets and lengths: ReadAt, WriteAt, Seek, Read, Write and
// Truncate with any values behave like a file (checked against an in-memory
// model) or fail with an error; never a panic. Bounded fuzzing:
// go test -run='^$' -fuzz='^FuzzShmOffsets$' -fuzztime=20s .

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

// FuzzObjectNames creates, uses and removes objects of each kind with a
// fuzzed name (under a prefix unique to the process, so nothing else is
// touched): either fs.ErrInvalid, or an object whose host file is exactly
// internal/kind's HostPath of the name and is gone after the remove. Queues are
// not checked through /dev/mqueue (it may not be mounted), but their create
// and remove must agree.
func FuzzObjectNames(f *testing.F) {
	for _, n := range relHostileNames {
		f.Add(n)
	}
	f.Add("ok-name")
	prefix := uniqueName(f) + "-"
	f.Fuzz(func(t *testing.T, suffix string) {
		name := prefix + suffix
		for _, dir := range relKindDirs {
			file, err := relCreate(dir, name, 0o600)
			_, cleanErr := CleanName(dir, name)
			if err != nil {
				if cleanErr != nil {
					if !errors.Is(err, fs.ErrInvalid) {
						t.Fatalf("create %s %q: %v; want fs.ErrInvalid", dir, name, err)
					}
					continue
				}
				if errors.Is(err, syscall.ENAMETOOLONG) {
					continue
				}
				t.Fatalf("create %s %q (a valid name): %v", dir, name, err)
			}
			if cleanErr != nil {
				file.Close()
				relRemove(dir, name)
				t.Fatalf("create %s %q succeeded; CleanName says %v", dir, name, cleanErr)
			}
			n, _ := CleanName(dir, name)
			host := relKind(dir).HostPath(n)
			if dir != "mq" {
				if _, err := os.Lstat(host); err != nil {
					t.Errorf("created %s %q but %s: %v", dir, name, host, err)
				}
			}
			if want := "/" + n; file.Name() != want {
				t.Errorf("Name() = %q; want %q", file.Name(), want)
			}
			file.Close()
			if err := relRemove(dir, name); err != nil {
				t.Fatalf("remove %s %q: %v", dir, name, err)
			}
			if dir != "mq" {
				if _, err := os.Lstat(host); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("after remove of %s %q, %s: %v", dir, name, host, err)
				}
			}
		}
	})
}
