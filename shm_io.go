package ipcfs

// Reading and writing a ShmFile: the io interfaces, copying between the
// caller and the mapping.

import (
	"errors"
	"io"
	"io/fs"
	"math"
	"sync"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/shm"
	"github.com/ipcfs/ipcfs/internal/sys"
)

const (
	shmCopyChunk   = 1 << 20  // WriteTo hands the writer at most this much at once
	shmReadFromMin = 64 << 10 // ReadFrom's first chunk
	shmReadFromMax = 8 << 20  // ReadFrom's largest chunk into the mapping
	shmReadFromBuf = 1 << 20  // ReadFrom's largest buffer, past the end of the segment
)

// ReadAt reads len(p) bytes at offset off, as io.ReaderAt specifies: fewer
// than len(p) only at the end of the segment, with io.EOF. It does not move
// the offset. A read reaching past the size the handle knows refreshes it
// (fstat), so growth by other processes is seen.
func (f *ShmFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.checkValid("readat"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, f.pathErr("readat", kind.NegativeOffset(off))
	}
	return f.readAt("readat", p, off)
}

func (f *ShmFile) readAt(op string, p []byte, off int64) (int, error) {
	m, err := f.pin()
	if err != nil {
		return 0, f.pathErr(op, err)
	}
	defer f.unpin()
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, remap, err := f.copyOut(m, p, off)
		if remap == 0 {
			if err != nil && err != io.EOF {
				err = f.pathErr(op, err)
			}
			return n, err
		}
		if m, err = f.mapTo(remap); err != nil {
			return 0, f.pathErr(op, err)
		}
	}
}

// copyOut copies the segment's bytes at off into p, under f.mu read-locked;
// remap > 0 asks for a mapping that covers [0, remap) first. f must be
// pinned; m is its mapping.
func (f *ShmFile) copyOut(m, p []byte, off int64) (n int, remap int64, err error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	size := f.size.Load()
	if shmEnd(off, len(p)) > size {
		if size, err = f.refreshSize(); err != nil {
			return 0, 0, err
		}
	}
	if off >= size {
		return 0, 0, io.EOF
	}
	n = int(min(int64(len(p)), size-off))
	end := off + int64(n)
	if end > int64(len(m)) {
		return 0, end, nil
	}
	if shmGuard(m, func() { copy(p[:n], m[off:end]) }) {
		f.refreshSize()
		return 0, 0, ErrShmShrunk
	}
	if n < len(p) {
		return n, 0, io.EOF
	}
	return n, 0, nil
}

// shmEnd returns off+n, saturating instead of overflowing.
func shmEnd(off int64, n int) int64 {
	if off > math.MaxInt64-int64(n) {
		return math.MaxInt64
	}
	return off + int64(n)
}

// WriteAt writes p at offset off without moving the offset. Inside the
// segment it stores straight into the mapping; a write that ends past the
// end grows the segment, all or nothing: its pages are reserved first
// (fallocate), so a full /dev/shm fails it with ENOSPC, and a write the
// handle could not map afterwards (an offset such as 1<<50) fails with
// ENOMEM, both with the segment's size and bytes as they were. The size
// grows only over bytes already stored: no process sees the new end before
// the bytes in front of it. A read-only handle fails with an error matching
// fs.ErrPermission and syscall.EBADF (posix_ipc's PermissionsError).
func (f *ShmFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.checkValid("writeat"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, f.pathErr("writeat", kind.NegativeOffset(off))
	}
	return f.writeAt("writeat", p, off)
}

func (f *ShmFile) writeAt(op string, p []byte, off int64) (int, error) {
	if off > math.MaxInt64-int64(len(p)) {
		return 0, f.pathErr(op, sys.EFBIG)
	}
	m, err := f.pin()
	if err != nil {
		return 0, f.pathErr(op, err)
	}
	defer f.unpin()
	if f.readOnly {
		return 0, f.pathErr(op, kind.NotWritable())
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		remap, grow, err := f.store(m, p, off)
		switch {
		case grow:
			n, err := f.grow(p, off, true)
			if err != nil {
				return n, f.pathErr(op, err)
			}
			return n, nil
		case remap > 0:
			if m, err = f.mapTo(remap); err != nil {
				return 0, f.pathErr(op, err)
			}
		case err != nil:
			return 0, f.pathErr(op, err)
		default:
			return len(p), nil
		}
	}
}

// store copies p into the mapping at off, under f.mu read-locked, when the
// segment covers the range; remap > 0 asks for a mapping that covers
// [0, remap) first, grow says the write ends past the segment's end. f must
// be pinned; m is its mapping.
func (f *ShmFile) store(m, p []byte, off int64) (remap int64, grow bool, err error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	end := off + int64(len(p))
	if end > f.size.Load() {
		size, err := f.refreshSize()
		if err != nil {
			return 0, false, err
		}
		if end > size {
			return 0, true, nil
		}
	}
	if end > int64(len(m)) {
		return end, false, nil
	}
	return 0, false, f.copyIn(m, p, off)
}

// grow writes p at off, where it ends past the segment's end. Mapping
// first (mapping past the end of the file is allowed) keeps the segment
// within what this handle can map, and pwrite extends the size only over
// what it has stored. With whole, the pages are reserved first, so a full
// tmpfs fails the write before anything is stored; without, as much as
// fits is stored. f must be pinned.
func (f *ShmFile) grow(p []byte, off int64, whole bool) (int, error) {
	end := off + int64(len(p))
	if _, err := f.mapTo(end); err != nil {
		return 0, err
	}
	if whole {
		if err := shm.Reserve(f.fd, off, int64(len(p))); err != nil {
			return 0, err
		}
	}
	f.sizeMu.Lock()
	defer f.sizeMu.Unlock()
	n, err := shm.WriteAt(f.fd, p, off)
	if n > 0 {
		f.noteSize(off + int64(n))
	}
	return n, err
}

// copyIn copies p into the mapping m at off, which the mapping and the known
// size cover; f must be pinned, and f.mu read-locked. A fault on m means either that the segment
// shrank (ErrShmShrunk) or that tmpfs could not supply a page for a hole in
// a sparse segment: then the range is reserved with fallocate, which reports
// ENOSPC, and the copy is tried once more.
func (f *ShmFile) copyIn(m, p []byte, off int64) error {
	if !shmGuard(m, func() { copy(m[off:], p) }) {
		return nil
	}
	size, err := f.refreshSize()
	if err != nil {
		return err
	}
	end := off + int64(len(p))
	if end > size {
		return ErrShmShrunk
	}
	if err := shm.Reserve(f.fd, off, int64(len(p))); err != nil {
		return err
	}
	if shmGuard(m, func() { copy(m[off:], p) }) {
		return ErrShmShrunk
	}
	return nil
}

// Read reads up to len(p) bytes at the offset and advances it, as os.File's
// Read does: at the end of the segment it returns 0, io.EOF.
func (f *ShmFile) Read(p []byte) (int, error) {
	if err := f.checkValid("read"); err != nil {
		return 0, err
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	n, err := f.readAt("read", p, f.pos)
	f.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Write writes p at the offset and advances it, growing the segment as
// WriteAt does.
func (f *ShmFile) Write(p []byte) (int, error) {
	if err := f.checkValid("write"); err != nil {
		return 0, err
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	n, err := f.writeAt("write", p, f.pos)
	f.pos += int64(n)
	return n, err
}

// Seek sets the offset for the next Read or Write, as io.Seeker specifies:
// io.SeekEnd is relative to the segment's current size (fstat). Seeking past
// the end is allowed; a negative result fails with EINVAL.
func (f *ShmFile) Seek(offset int64, whence int) (int64, error) {
	if err := f.checkValid("seek"); err != nil {
		return 0, err
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	pos, err := kind.Seek(offset, whence, f.pos, func(needSize bool) (int64, error) {
		if _, err := f.pin(); err != nil {
			return 0, err
		}
		defer f.unpin()
		if needSize {
			return f.refreshSize()
		}
		return 0, nil
	})
	if err != nil {
		return 0, f.pathErr("seek", err)
	}
	f.pos = pos
	return pos, nil
}

// claim takes the bytes [pos, end) of the offset for a WriteTo or ReadFrom
// chunk that runs the caller's code without posMu: the offset moves to end
// at once, as a read(2) moves a file's, and releaseClaim gives back what the
// chunk did not use.
func (f *ShmFile) claim(pick func(pos int64) (end int64, err error)) (pos, end int64, err error) {
	f.posMu.Lock()
	defer f.posMu.Unlock()
	pos = f.pos
	if end, err = pick(pos); err != nil || end <= pos {
		return pos, pos, err
	}
	f.pos = end
	return pos, end, nil
}

// releaseClaim sets the offset to used after a chunk that claimed up to end,
// unless a Seek or another call has moved it since.
func (f *ShmFile) releaseClaim(end, used int64) {
	f.posMu.Lock()
	if f.pos == end {
		f.pos = used
	}
	f.posMu.Unlock()
}

// shrunkUnder reports whether a chunk of f's mapping ending at end that a
// caller's reader or writer failed on with EFAULT (an *os.File's read(2) or
// write(2) touching pages the segment no longer covers) lies past the
// segment's end now. f must be pinned.
func (f *ShmFile) shrunkUnder(err error, end int64) bool {
	if !errors.Is(err, sys.EFAULT) || errors.Is(err, ErrShmShrunk) {
		return false
	}
	size, serr := f.refreshSize()
	return serr == nil && size < end
}

// WriteTo writes the segment from the offset to its end into w, handing w
// slices of the mapping itself (up to 1 MiB at a time, no intermediate
// buffer), and advances the offset. It is what io.Copy(w, f) uses. No lock
// of f is held while w runs: w may panic, or use f (Close then ends the copy
// with fs.ErrClosed after w returns; the slice w holds stays valid until
// then). If the segment shrinks under the copy, WriteTo fails with
// ErrShmShrunk, also when w is an *os.File whose write(2) met the missing
// pages.
func (f *ShmFile) WriteTo(w io.Writer) (int64, error) {
	if err := f.checkValid("read"); err != nil {
		return 0, err
	}
	if w == nil {
		return 0, f.pathErr("read", fs.ErrInvalid)
	}
	if g, ok := w.(*ShmFile); ok && g == f {
		return 0, f.pathErr("read", syscall.EINVAL)
	}
	var total int64
	for {
		n, more, err := f.writeChunk(w)
		total += int64(n)
		if err != nil || !more {
			return total, err
		}
	}
}

// writeChunk hands w the next chunk of the segment; more is false at the
// end or on error.
func (f *ShmFile) writeChunk(w io.Writer) (n int, more bool, err error) {
	m, err := f.pin()
	if err != nil {
		return 0, false, f.pathErr("read", err)
	}
	defer f.unpin()
	pos, end, err := f.claim(func(pos int64) (int64, error) {
		size := f.size.Load()
		if pos >= size {
			var err error
			if size, err = f.refreshSize(); err != nil {
				return pos, err
			}
		}
		return min(max(size, pos), pos+shmCopyChunk), nil
	})
	if err != nil {
		return 0, false, f.pathErr("read", err)
	}
	if end == pos {
		return 0, false, nil
	}
	defer func() { f.releaseClaim(end, pos+int64(n)) }()
	if end > int64(len(m)) {
		if m, err = f.mapTo(end); err != nil {
			return 0, false, f.pathErr("read", err)
		}
	}
	chunk := m[pos:end]
	var werr error
	if shmGuard(m, func() { n, werr = w.Write(chunk) }) {
		f.refreshSize()
		return 0, false, f.pathErr("read", ErrShmShrunk)
	}
	switch {
	case n < 0 || n > len(chunk):
		n = 0
		return 0, false, f.pathErr("read", syscall.EIO)
	case f.shrunkUnder(werr, end):
		return n, false, f.pathErr("read", ErrShmShrunk)
	case werr != nil:
		return n, false, werr
	case n < len(chunk):
		return n, false, io.ErrShortWrite
	}
	return n, true, nil
}

// ReadFrom reads r until io.EOF into the segment at the offset, advancing
// the offset, as io.Copy(f, r) does. It never shrinks the segment, and the
// size never runs ahead of the bytes stored:
//
//   - where the segment already covers the range (sized by OpenShm, Truncate
//     or an earlier write), r reads straight into the shared pages, with no
//     intermediate buffer: the fast way, so size a segment first when you can;
//   - past the end, r reads into a buffer (pooled, up to 1 MiB) and the
//     segment grows by exactly what each Read returned (pwrite), so another
//     process sees the new bytes and the new size together.
//
// No lock of f is held while r runs: r may panic, or use f (Close then ends
// the copy with fs.ErrClosed after r returns). If the segment shrinks under
// the copy, ReadFrom fails with ErrShmShrunk, also when r is an *os.File
// whose read(2) met the missing pages. A read-only handle fails with an
// error matching fs.ErrPermission and syscall.EBADF, having read nothing
// from r.
func (f *ShmFile) ReadFrom(r io.Reader) (int64, error) {
	if err := f.checkValid("write"); err != nil {
		return 0, err
	}
	if r == nil {
		return 0, f.pathErr("write", fs.ErrInvalid)
	}
	if g, ok := r.(*ShmFile); ok && g == f {
		return 0, f.pathErr("write", syscall.EINVAL)
	}
	if err := f.startReadFrom(); err != nil {
		return 0, f.pathErr("write", err)
	}
	var total int64
	var buf *[]byte // from shmBufs once needed
	defer func() {
		if buf != nil {
			shmBufs.Put(buf)
		}
	}()
	chunk := int64(shmReadFromMin)
	for {
		n, full, err := f.readChunk(r, chunk, &buf)
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if full && chunk < shmReadFromMax {
			chunk *= 2
		}
	}
}

// startReadFrom checks f may be written and learns its size, which tells
// ReadFrom where the shared pages end.
func (f *ShmFile) startReadFrom() error {
	if _, err := f.pin(); err != nil {
		return err
	}
	defer f.unpin()
	if f.readOnly {
		return kind.NotWritable()
	}
	_, err := f.refreshSize()
	return err
}

// shmBufs holds ReadFrom's buffers for bytes past the end of a segment.
var shmBufs = sync.Pool{New: func() any { b := make([]byte, shmReadFromBuf); return &b }}

// readChunk has r fill the next chunk of at most limit bytes: in the mapping
// where the segment covers it, else in a buffer from shmBufs (*buf, taken
// on first need), which it then writes. full reports that r filled all it
// was given.
func (f *ShmFile) readChunk(r io.Reader, limit int64, buf **[]byte) (n int, full bool, err error) {
	m, err := f.pin()
	if err != nil {
		return 0, false, f.pathErr("write", err)
	}
	defer f.unpin()
	var direct bool
	pos, end, err := f.claim(func(pos int64) (int64, error) {
		if pos > math.MaxInt64-limit {
			return pos, sys.EFBIG
		}
		size := f.size.Load()
		direct = pos < size
		if direct {
			return min(size, pos+limit), nil
		}
		return pos + min(limit, shmReadFromBuf), nil
	})
	if err != nil {
		return 0, false, f.pathErr("write", err)
	}
	var used int
	defer func() { f.releaseClaim(end, pos+int64(used)) }()
	if direct {
		used, full, err = f.readInto(r, m, pos, end)
		return used, full, err
	}
	if *buf == nil {
		*buf = shmBufs.Get().(*[]byte)
	}
	b := (**buf)[:end-pos]
	n, rerr := r.Read(b)
	if n < 0 || n > len(b) {
		return 0, false, f.pathErr("write", syscall.EIO)
	}
	if n > 0 {
		used, err = f.grow(b[:n], pos, false)
		if err != nil {
			return used, false, f.pathErr("write", err)
		}
	}
	return n, n == len(b), rerr
}

// readInto has r read into the mapping's bytes [pos, end), inside the
// segment. f must be pinned; m is its mapping.
func (f *ShmFile) readInto(r io.Reader, m []byte, pos, end int64) (n int, full bool, err error) {
	if end > int64(len(m)) {
		if m, err = f.mapTo(end); err != nil {
			return 0, false, f.pathErr("write", err)
		}
	}
	b := m[pos:end]
	var rerr error
	if shmGuard(m, func() { n, rerr = r.Read(b) }) {
		f.refreshSize()
		return 0, false, f.pathErr("write", ErrShmShrunk)
	}
	switch {
	case n < 0 || n > len(b):
		return 0, false, f.pathErr("write", syscall.EIO)
	case f.shrunkUnder(rerr, end):
		return n, false, f.pathErr("write", ErrShmShrunk)
	}
	return n, n == len(b), rerr
}
