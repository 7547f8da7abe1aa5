package fstest

import (
	"bytes"
	"io"
	"os"
	"strings"
)

func init() {
	addCases(
		suiteCase{"ShmGrowsAndReadsPastEnd", testShmGrowth},
		suiteCase{"ShmSeekAndOffsets", testShmSeek},
		suiteCase{"ShmSizeTruncAndSharing", testShmSharing},
		suiteCase{"ShmReadOnlyHandle", testShmReadOnly},
		suiteCase{"ShmCopyInAndOut", testShmCopy},
	)
}

func testShmGrowth(s *suite) {
	_, f := s.createShm(0)
	if size, err := f.Size(); s.ok("Size of a new segment", err) && size != 0 {
		s.Errorf("new segment with size 0 has Size %d; want 0", size)
	}
	n, err := f.Read(make([]byte, 4))
	if n != 0 || err != io.EOF {
		s.Errorf("Read of an empty segment = %d, %v; want 0, io.EOF", n, err)
	}
	if n, err := f.Write([]byte("hello")); !s.ok("Write", err) || n != 5 {
		s.Errorf("Write(%q) = %d; want 5", "hello", n)
	}
	if size, _ := f.Size(); size != 5 {
		s.Errorf("after writing 5 bytes at 0, Size = %d; want 5", size)
	}
	buf := make([]byte, 10)
	n, err = f.ReadAt(buf, 0)
	if n != 5 || err != io.EOF || string(buf[:n]) != "hello" {
		s.Errorf("ReadAt(10 bytes, 0) of a 5-byte segment = %d %q, %v; want 5 %q, io.EOF", n, buf[:n], err, "hello")
	}
	n, err = f.ReadAt(buf, 5)
	if n != 0 || err != io.EOF {
		s.Errorf("ReadAt at the end = %d, %v; want 0, io.EOF", n, err)
	}
	n, err = f.ReadAt(buf, 100)
	if n != 0 || err != io.EOF {
		s.Errorf("ReadAt past the end = %d, %v; want 0, io.EOF", n, err)
	}
	if n, err = f.ReadAt(buf[:5], 0); n != 5 || err != nil {
		s.Errorf("ReadAt of exactly the segment = %d, %v; want 5, nil", n, err)
	}
	// Writing past the end grows the segment and leaves zeros in the gap.
	if _, err := f.WriteAt([]byte("end"), 10); s.ok("WriteAt(10) on a 5-byte segment", err) {
		if size, _ := f.Size(); size != 13 {
			s.Errorf("after WriteAt(3 bytes, 10), Size = %d; want 13", size)
		}
		got := make([]byte, 13)
		f.ReadAt(got, 0)
		if want := "hello\x00\x00\x00\x00\x00end"; string(got) != want {
			s.Errorf("segment = %q; want %q", got, want)
		}
	}
	if fi, err := f.Stat(); s.ok("Stat", err) && (fi.Size() != 13 || !fi.Mode().IsRegular()) {
		s.Errorf("Stat() = size %d mode %v; want 13, a regular file", fi.Size(), fi.Mode())
	}
	_, err = f.WriteAt([]byte("x"), -1)
	s.wantAnyErr("WriteAt at offset -1", err)
	s.wantParam("WriteAt at offset -1", err, "offset -1")
	_, err = f.ReadAt(buf, -1)
	s.wantAnyErr("ReadAt at offset -1", err)
	s.wantParam("ReadAt at offset -1", err, "offset -1")
	_, err = f.Seek(-1, io.SeekStart)
	s.wantParam("Seek(-1, io.SeekStart)", err, "offset -1")
	s.wantParam("Truncate(-1)", f.Truncate(-1), "size -1")
}

func testShmSeek(s *suite) {
	name, f := s.createShm(0)
	f.Write([]byte("0123456789"))
	for _, c := range []struct {
		off    int64
		whence int
		want   int64
	}{
		{0, io.SeekStart, 0},
		{3, io.SeekCurrent, 3},
		{-2, io.SeekEnd, 8},
		{20, io.SeekStart, 20},
	} {
		if got, err := f.Seek(c.off, c.whence); !s.ok("Seek", err) || got != c.want {
			s.Errorf("Seek(%d, %d) = %d; want %d", c.off, c.whence, got, c.want)
		}
	}
	f.Seek(8, io.SeekStart)
	buf := make([]byte, 4)
	if n, err := io.ReadFull(f, buf[:2]); err != nil || string(buf[:n]) != "89" {
		s.Errorf("Read after Seek(8) = %q, %v; want %q", buf[:n], err, "89")
	}
	if n, err := f.Read(buf); n != 0 || err != io.EOF {
		s.Errorf("Read at the end = %d, %v; want 0, io.EOF", n, err)
	}
	_, err := f.Seek(-1, io.SeekStart)
	s.wantAnyErr("Seek(-1, io.SeekStart)", err)
	// Two handles keep their own offsets.
	g, err := s.ns.OpenShm("/"+name, os.O_RDWR, 0, 0)
	if !s.ok("open a second handle", err) {
		return
	}
	defer g.Close()
	f.Seek(0, io.SeekStart)
	io.ReadFull(f, buf[:3])
	if n, _ := io.ReadFull(g, buf[:3]); string(buf[:n]) != "012" {
		s.Errorf("second handle reads %q from its own offset 0; want %q", buf[:n], "012")
	}
}

func testShmSharing(s *suite) {
	name, f := s.createShm(4096)
	if size, _ := f.Size(); size != 4096 {
		s.Errorf("segment created with size 4096 has Size %d", size)
	}
	g, err := s.ns.OpenShm("/"+name, os.O_RDWR, 0, 0)
	if !s.ok("open existing segment", err) {
		return
	}
	defer g.Close()
	f.WriteAt([]byte("shared"), 100)
	got := make([]byte, 6)
	if _, err := g.ReadAt(got, 100); !s.ok("ReadAt through a second handle", err) || string(got) != "shared" {
		s.Errorf("second handle reads %q; want %q", got, "shared")
	}
	if s.ok("Truncate(10)", g.Truncate(10)) {
		if size, _ := f.Size(); size != 10 {
			s.Errorf("after Truncate(10) through another handle, Size = %d; want 10", size)
		}
	}
	// size > 0 resizes an existing segment; 0 leaves it alone.
	h, err := s.ns.OpenShm(name, os.O_RDWR, 0, 0)
	if s.ok("open with size 0", err) {
		if size, _ := h.Size(); size != 10 {
			s.Errorf("open with size 0 changed Size to %d; want 10", size)
		}
		h.Close()
	}
	h, err = s.ns.OpenShm(name, os.O_RDWR|os.O_CREATE, 0o600, 8192)
	if s.ok("open existing with size 8192", err) {
		if size, _ := f.Size(); size != 8192 {
			s.Errorf("open with size 8192 left Size at %d; want 8192", size)
		}
		h.Close()
	}
	h, err = s.ns.OpenShm(name, os.O_RDWR|os.O_TRUNC, 0, 0)
	if s.ok("open with O_TRUNC", err) {
		if size, _ := f.Size(); size != 0 {
			s.Errorf("open with O_TRUNC left Size at %d; want 0", size)
		}
		h.Close()
	}
	_, err = s.ns.OpenShm(name, os.O_RDONLY, 0, 100)
	s.wantInvalid("open read-only with size 100", err)
	if size, _ := f.Size(); size != 0 {
		s.Errorf("a refused read-only resize changed Size to %d; want 0", size)
	}
	s.ok("Sync", f.Sync())
}

func testShmReadOnly(s *suite) {
	name, f := s.createShm(0)
	f.Write([]byte("data"))
	r, err := s.ns.OpenShm(name, os.O_RDONLY, 0, 0)
	if !s.ok("open O_RDONLY", err) {
		return
	}
	defer r.Close()
	buf := make([]byte, 4)
	if _, err := r.ReadAt(buf, 0); !s.ok("ReadAt on a read-only handle", err) || string(buf) != "data" {
		s.Errorf("read-only handle reads %q; want %q", buf, "data")
	}
	_, err = r.Write([]byte("x"))
	s.wantDirection("Write on a read-only handle", err)
	_, err = r.WriteAt([]byte("x"), 0)
	s.wantDirection("WriteAt on a read-only handle", err)
	s.wantDirection("Truncate on a read-only handle", r.Truncate(1))
	f.ReadAt(buf, 0)
	if string(buf) != "data" {
		s.Errorf("after failed writes on a read-only handle the segment is %q; want %q", buf, "data")
	}
	// Also through the generic Open.
	g, err := s.ns.Open("shm/" + name)
	if s.ok("Open(shm/...)", err) {
		if b, err := io.ReadAll(g); !s.ok("ReadAll(Open(shm/...))", err) || string(b) != "data" {
			s.Errorf("ReadAll(Open(shm/...)) = %q; want %q", b, "data")
		}
		g.Close()
	}
}

func testShmCopy(s *suite) {
	_, f := s.createShm(0)
	src := strings.Repeat("0123456789abcdef", 10000) // 160 KB, more than one copy buffer
	if n, err := io.Copy(f, strings.NewReader(src)); !s.ok("io.Copy into a segment", err) || n != int64(len(src)) {
		s.Errorf("io.Copy into a segment = %d; want %d", n, len(src))
	}
	if size, _ := f.Size(); size != int64(len(src)) {
		s.Errorf("after io.Copy of %d bytes, Size = %d", len(src), size)
	}
	f.Seek(0, io.SeekStart)
	var out bytes.Buffer
	if n, err := io.Copy(&out, f); !s.ok("io.Copy out of a segment", err) || n != int64(len(src)) {
		s.Errorf("io.Copy out of a segment = %d; want %d", n, len(src))
	}
	if out.String() != src {
		s.Errorf("bytes copied out differ from bytes copied in (%d vs %d bytes)", out.Len(), len(src))
	}
	f.Seek(int64(len(src)-3), io.SeekStart)
	out.Reset()
	io.Copy(&out, f)
	if out.String() != "def" {
		s.Errorf("io.Copy from offset len-3 = %q; want %q", out.String(), "def")
	}
}
