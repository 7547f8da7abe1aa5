package ipcfs

// The mapping of a ShmFile. A handle maps its segment once at open and maps
// it again, larger, only when an access reaches past the mapped length.
// Every mapping, the first included, is made with room to grow (up to twice
// the length, at most 1 GiB more), so a segment written sequentially is
// remapped a logarithmic number of times, and one grown a little (io.Copy
// probing past the end for io.EOF) not at all. Old mappings are kept until
// the handle is released (at Close, or when the last call in progress at
// Close returns, or by the handle's cleanup if it is dropped without
// Close): slices handed out by Bytes, and the mapping a call in progress
// took, point into them and stay valid, and since every mapping is
// MAP_SHARED over the same file they all show the same bytes.
// Mapping past the end of the file is allowed; those pages are never
// touched, because every access is bounded by the segment's size.

import (
	"errors"
	"io/fs"
	"math"
	"os"

	"github.com/ipcfs/ipcfs/internal/shm"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// shmRes holds what a ShmFile releases when it closes: its descriptor and
// every mapping it made. It is a separate object so that the handle's
// cleanup (runtime.AddCleanup), which must not reference the handle, can
// release it when a handle is dropped without Close.
type shmRes struct {
	file *os.File // owns fd; what mmap-go maps
	fd   int      // file's descriptor, for the system calls of internal/shm
	m    []byte   // current mapping: page multiple, may reach past EOF; nil if none
	old  [][]byte // earlier mappings, kept so handed-out slices stay valid until Close
}

// newShmRes takes ownership of the open segment descriptor fd.
func newShmRes(fd int, name string) *shmRes {
	return &shmRes{file: os.NewFile(uintptr(fd), name), fd: fd}
}

// release unmaps every mapping and closes the descriptor, returning the
// first error. It runs once: from Close, or from the cleanup of a handle
// that became unreachable while open (then no method can be running), or
// when an open fails.
func (r *shmRes) release() error {
	var first error
	for _, m := range append(r.old, r.m) {
		if m != nil {
			if err := shm.Unmap(m); err != nil && first == nil {
				first = err
			}
		}
	}
	r.m, r.old = nil, nil
	if err := r.file.Close(); err != nil && first == nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		first = err
	}
	r.file, r.fd = nil, -1
	return first
}

// shmCleanup is the runtime.AddCleanup function of a ShmFile dropped
// without Close. It has nobody to report an error to.
func shmCleanup(r *shmRes) { r.release() }

// shmMaxGrowStep bounds how much room for growth a remap adds at once.
const shmMaxGrowStep = 1 << 30

// mapAtLeast makes the current mapping cover [0, end). f.mu must be held,
// and f not released.
func (f *ShmFile) mapAtLeast(end int64) error {
	if end <= int64(len(f.m)) {
		return nil
	}
	page := int64(os.Getpagesize())
	length := shmRoundUp(end, page)
	if n := int64(len(f.m)); n > 0 {
		length = max(length, shmRoundUp(n+min(n, shmMaxGrowStep), page))
	} else {
		// The first mapping, too, leaves room to grow: growing the segment
		// then needs no new mapping, whose pages would all fault in again
		// (io.Copy into a segment of exactly the copied size probes past
		// its end for io.EOF).
		length = max(length, shmRoundUp(end+min(end, shmMaxGrowStep), page))
	}
	if length > math.MaxInt {
		return sys.EFBIG
	}
	m, err := shm.Map(f.file, int(length), !f.readOnly)
	if err != nil {
		return err
	}
	if f.m != nil {
		f.old = append(f.old, f.m)
	}
	f.m = m
	f.view.Store(&m)
	return nil
}

func shmRoundUp(n, page int64) int64 {
	if n > math.MaxInt64-page {
		return math.MaxInt64
	}
	return (n + page - 1) / page * page
}

// refreshSize learns the segment's size from the kernel. f must be pinned,
// or f.mu held with f open.
func (f *ShmFile) refreshSize() (int64, error) {
	st, err := f.fstat()
	if err != nil {
		return 0, err
	}
	return st.Size, nil
}

// fstat asks the kernel about the segment and records its size, as one
// step under f.sizeMu. f must be pinned, or f.mu held with f open.
func (f *ShmFile) fstat() (shm.Info, error) {
	f.sizeMu.Lock()
	defer f.sizeMu.Unlock()
	st, err := shm.Fstat(f.fd)
	if err != nil {
		return st, err
	}
	f.size.Store(st.Size)
	return st, nil
}

// noteSize records that the segment is at least size bytes long (this
// handle grew it). f.sizeMu must be held.
func (f *ShmFile) noteSize(size int64) {
	if size > f.size.Load() {
		f.size.Store(size)
	}
}

// Pinning. A call that uses the descriptor or the mapping without holding
// f.mu (every read, write and copy) pins f first: while pinned, Close leaves
// the descriptor and every mapping in place, and the last call to unpin
// after Close releases them. So no lock is held while the caller's code
// runs (a writer in WriteTo, a reader in ReadFrom) or while memory the
// caller passed is copied, which may fault or panic; the deferred unpin
// runs on every path. Mappings are never unmapped before release, so a
// mapping a pinned call took stays valid even if another call remaps.

// pin checks that f is open and pins it, returning the current mapping
// (possibly shorter than the segment; see mapTo). The caller must unpin,
// with defer.
func (f *ShmFile) pin() ([]byte, error) {
	f.pins.Add(1)
	if f.closed.Load() {
		f.unpin()
		return nil, fs.ErrClosed
	}
	return *f.view.Load(), nil
}

// unpin ends what pin began; after Close, the last one out releases f's
// descriptor and mappings. (Close stores closed before it loads pins, and
// unpin decrements pins before it loads closed: one of the two sees the
// other, so the release happens once, under f.mu.)
func (f *ShmFile) unpin() {
	if f.pins.Add(-1) == 0 && f.closed.Load() {
		f.mu.Lock()
		if !f.released && f.pins.Load() == 0 {
			f.released = true
			f.release() // nobody to report to: Close has returned
		}
		f.mu.Unlock()
	}
}

// mapTo returns a mapping that covers [0, end), mapping anew if the
// current one is shorter. f must be pinned.
func (f *ShmFile) mapTo(end int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Load() {
		return nil, fs.ErrClosed
	}
	if err := f.mapAtLeast(end); err != nil {
		return nil, err
	}
	return f.m, nil
}

// shmGuard runs fn, turning a fault on the mapping m (the segment shrank
// under it, or tmpfs had no page for a hole) into faulted = true. A fault
// anywhere else, such as in memory the caller passed, and any other panic
// go on to the caller; nothing is locked then.
func shmGuard(m []byte, fn func()) (faulted bool) {
	return shm.Guard(func(addr uintptr) bool { return shm.Contains(m, addr) }, fn)
}
