package ipcfs

// Reading and writing a ShmFile: the io interfaces, copying between the
// caller and the mapping.

import (
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/shm"
	"github.com/ipcfs/ipcfs/internal/sys"
)

const (
	shmCopyChunk   = 1 << 20  // WriteTo hands the writer at most this much at once
	shmReadFromMin = 64 << 10 // ReadFrom's first chunk
	shmReadFromMax = 8 << 20  // ReadFrom's largest chunk
	shmPopulateMin = 64 << 10 // growing writes this large map their pages at once
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
	f.mu.RLock()
	for {
		if f.closed {
			f.mu.RUnlock()
			return 0, f.pathErr(op, fs.ErrClosed)
		}
		if len(p) == 0 {
			f.mu.RUnlock()
			return 0, nil
		}
		size := f.size.Load()
		if shmEnd(off, len(p)) > size {
			var err error
			if size, err = f.refreshSize(); err != nil {
				f.mu.RUnlock()
				return 0, f.pathErr(op, err)
			}
		}
		if off >= size {
			f.mu.RUnlock()
			return 0, io.EOF
		}
		n := int(min(int64(len(p)), size-off))
		if off+int64(n) > int64(len(f.m)) {
			if err := f.remap(off + int64(n)); err != nil {
				return 0, f.pathErr(op, err)
			}
			continue // f.mu is read-locked again
		}
		if f.guard(func() { copy(p[:n], f.m[off:]) }) {
			f.refreshSize()
			f.mu.RUnlock()
			return 0, f.pathErr(op, ErrShmShrunk)
		}
		f.mu.RUnlock()
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
}

// remap is called with f.mu read-locked; it maps at least [0, end) and
// returns with f.mu read-locked again, or unlocked on error.
func (f *ShmFile) remap(end int64) error {
	f.mu.RUnlock()
	f.mu.Lock()
	var err error
	if f.closed {
		err = fs.ErrClosed
	} else {
		err = f.mapAtLeast(end)
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	f.mu.RLock()
	return nil
}

// shmEnd returns off+n, saturating instead of overflowing.
func shmEnd(off int64, n int) int64 {
	if off > math.MaxInt64-int64(n) {
		return math.MaxInt64
	}
	return off + int64(n)
}

// WriteAt writes p at offset off without moving the offset, growing the
// segment when the write ends past it (the new pages are reserved first with
// fallocate, so a full /dev/shm fails here with ENOSPC). A read-only handle
// fails with an error matching fs.ErrPermission and syscall.EBADF
// (posix_ipc's PermissionsError).
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
	end := off + int64(len(p))
	f.mu.RLock()
	if err := f.checkWritable(); err != nil {
		f.mu.RUnlock()
		return 0, f.pathErr(op, err)
	}
	if len(p) == 0 {
		f.mu.RUnlock()
		return 0, nil
	}
	if end <= f.size.Load() && end <= int64(len(f.m)) {
		err := f.copyIn(p, off)
		f.mu.RUnlock()
		if err != nil {
			return 0, f.pathErr(op, err)
		}
		return len(p), nil
	}
	f.mu.RUnlock()

	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.checkWritable(); err != nil {
		return 0, f.pathErr(op, err)
	}
	if err := f.growTo(off, end); err != nil {
		return 0, f.pathErr(op, err)
	}
	if len(p) >= shmPopulateMin {
		page := int64(os.Getpagesize())
		shm.Populate(f.m[off/page*page : end])
	}
	if err := f.copyIn(p, off); err != nil {
		return 0, f.pathErr(op, err)
	}
	return len(p), nil
}

func (f *ShmFile) checkWritable() error {
	if f.closed {
		return fs.ErrClosed
	}
	if f.readOnly {
		return kind.NotWritable()
	}
	return nil
}

// growTo makes the segment at least end bytes long, reserving [off, end)
// (fallocate), and maps it. f.mu must be held for writing.
func (f *ShmFile) growTo(off, end int64) error {
	size, err := f.refreshSize()
	if err != nil {
		return err
	}
	if end > size {
		if err := shm.Allocate(f.fd, off, end-off); err != nil {
			return err
		}
		f.size.Store(end)
	}
	return f.mapAtLeast(end)
}

// copyIn copies p into the mapping at off; the mapping and the known size
// cover the range, and f.mu is held. A fault means either that the segment
// shrank (ErrShmShrunk) or that tmpfs could not supply a page for a hole
// in a sparse segment: then the range is reserved with fallocate, which
// reports ENOSPC, and the copy is tried once more.
func (f *ShmFile) copyIn(p []byte, off int64) error {
	if !f.guard(func() { copy(f.m[off:], p) }) {
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
	if err := shm.Allocate(f.fd, off, int64(len(p))); err != nil {
		return err
	}
	if f.guard(func() { copy(f.m[off:], p) }) {
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
		f.mu.RLock()
		defer f.mu.RUnlock()
		switch {
		case f.closed:
			return 0, fs.ErrClosed
		case needSize:
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

// WriteTo writes the segment from the offset to its end into w, handing w
// slices of the mapping itself (up to 1 MiB at a time, no intermediate
// buffer), and advances the offset. It is what io.Copy(w, f) uses. w must
// not use f; Close waits for a w.Write in progress.
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
	f.posMu.Lock()
	defer f.posMu.Unlock()
	var total int64
	f.mu.RLock()
	for {
		if f.closed {
			f.mu.RUnlock()
			return total, f.pathErr("read", fs.ErrClosed)
		}
		size := f.size.Load()
		if f.pos >= size {
			var err error
			if size, err = f.refreshSize(); err != nil {
				f.mu.RUnlock()
				return total, f.pathErr("read", err)
			}
			if f.pos >= size {
				f.mu.RUnlock()
				return total, nil
			}
		}
		end := min(size, f.pos+shmCopyChunk)
		if end > int64(len(f.m)) {
			if err := f.remap(end); err != nil {
				return total, f.pathErr("read", err)
			}
			continue
		}
		var n int
		var werr error
		chunk := f.m[f.pos:end]
		faulted := f.guard(func() { n, werr = w.Write(chunk) })
		if faulted {
			f.refreshSize()
			f.mu.RUnlock()
			return total, f.pathErr("read", ErrShmShrunk)
		}
		if n < 0 || n > len(chunk) {
			f.mu.RUnlock()
			return total, f.pathErr("read", syscall.EIO)
		}
		f.pos += int64(n)
		total += int64(n)
		if werr == nil && n < len(chunk) {
			werr = io.ErrShortWrite
		}
		if werr != nil {
			f.mu.RUnlock()
			return total, werr
		}
		// Let Close and remaps in between chunks.
		f.mu.RUnlock()
		f.mu.RLock()
	}
}

// ReadFrom reads r until io.EOF into the segment at the offset, advancing
// the offset and growing the segment as needed, with r reading straight into
// the mapping (no intermediate buffer). It is what io.Copy(f, r) uses.
// While it runs, the segment may be up to 8 MiB longer than the bytes
// written so far (space reserved for r's next Read); when it returns, the
// segment ends at the last byte written (or keeps its earlier size, if that
// was larger). r must not use f; Close waits for an r.Read in progress. A
// read-only handle fails with an error matching fs.ErrPermission and
// syscall.EBADF, having read nothing from r.
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
	f.posMu.Lock()
	defer f.posMu.Unlock()

	f.mu.RLock()
	err := f.checkWritable()
	var floor int64 // the size ReadFrom must not shrink the segment below
	if err == nil {
		floor, err = f.refreshSize()
	}
	f.mu.RUnlock()
	if err != nil {
		return 0, f.pathErr("write", err)
	}

	var total int64
	extended := false
	regrow := 0
	chunk := int64(shmReadFromMin)
	for {
		want := f.pos + chunk
		if size := f.size.Load(); f.pos < size && want > size {
			want = size // fill the segment before growing it
		}
		if want < f.pos {
			err = f.pathErr("write", sys.EFBIG)
			break
		}
		f.mu.RLock()
		if f.closed {
			f.mu.RUnlock()
			err = f.pathErr("write", fs.ErrClosed)
			break
		}
		if want > f.size.Load() || want > int64(len(f.m)) {
			f.mu.RUnlock()
			f.mu.Lock()
			err = f.checkWritable()
			if err == nil {
				err = f.growTo(f.pos, want)
			}
			f.mu.Unlock()
			if err == sys.ENOSPC && chunk > 1 {
				chunk /= 2 // fill what space is left
				err = nil
				continue
			}
			if err != nil {
				err = f.pathErr("write", err)
				break
			}
			extended = true
			f.mu.RLock()
			if !f.closed {
				// Map the fresh pages in one go rather than one fault each.
				page := int64(os.Getpagesize())
				shm.Populate(f.m[f.pos/page*page : want])
			}
			if f.closed {
				f.mu.RUnlock()
				err = f.pathErr("write", fs.ErrClosed)
				break
			}
			// A Truncate on this handle may have shrunk the segment again
			// since growTo: grow once more, but not forever (that would
			// livelock against a Truncate loop). Mappings only grow, so
			// [pos, want) is still mapped; if the segment is short, the read
			// faults and ReadFrom fails with ErrShmShrunk.
			if want > f.size.Load() && regrow < 3 {
				f.mu.RUnlock()
				regrow++
				continue
			}
		}
		regrow = 0
		buf := f.m[f.pos:want]
		var n int
		var rerr error
		faulted := f.guard(func() { n, rerr = r.Read(buf) })
		f.mu.RUnlock()
		if faulted {
			err = f.pathErr("write", ErrShmShrunk)
			break
		}
		if n < 0 || n > len(buf) {
			err = f.pathErr("write", syscall.EIO)
			break
		}
		f.pos += int64(n)
		total += int64(n)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
		if n == len(buf) && chunk < shmReadFromMax {
			chunk *= 2
		}
	}
	if extended {
		final := floor
		if total > 0 {
			final = max(final, f.pos)
		}
		f.mu.Lock()
		if !f.closed && f.size.Load() > final {
			if terr := shm.Truncate(f.fd, final); terr != nil && err == nil {
				err = f.pathErr("write", terr)
			} else if terr == nil {
				f.size.Store(final)
			}
		}
		f.mu.Unlock()
	}
	return total, err
}
