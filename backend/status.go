package backend

import (
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// StatusFile is a queue or a semaphore opened to look (see Open): a
// read-only regular file whose content is the object's status text as it
// was when the file was opened, for example
//
//	max_messages 10
//	message_size 8192
//	current_messages 2
//	bytes 14
//
// for a queue and "value 3\nwaiters 0\n" for a semaphore (the keys are
// posix_ipc's attribute names, and glibc's nwaiters). Reading it receives and acquires nothing, and never
// waits. Its Stat is the object's FileInfo from the same moment, whose Size
// is the length of the text; Sys holds the facts (ipcfs.MqInfo,
// ipcfs.SemInfo). It implements fs.File, io.ReaderAt and io.Seeker (so
// http.FileServer can serve it); Write fails with an error matching
// fs.ErrPermission. It is safe for concurrent use; a nil *StatusFile fails
// every call with fs.ErrInvalid.
type StatusFile struct {
	path   string
	info   fs.FileInfo
	mu     sync.Mutex // guards r and closed
	r      *strings.Reader
	closed bool
}

// NewStatusFile returns an open status file at path (its namespace path,
// which Name returns) with the object's FileInfo info and status text.
func NewStatusFile(path string, info fs.FileInfo, text string) *StatusFile {
	return &StatusFile{path: path, info: info, r: strings.NewReader(text)}
}

// lock locks f and returns nil if f is open; otherwise it returns
// fs.ErrInvalid (nil f) or fs.ErrClosed for op, and leaves f unlocked.
func (f *StatusFile) lock(op string) error {
	if f == nil {
		return kind.NilHandle(op)
	}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return &fs.PathError{Op: op, Path: f.path, Err: fs.ErrClosed}
	}
	return nil
}

// Name returns the path the file was opened with ("mq/jobs").
func (f *StatusFile) Name() string {
	if f == nil {
		return ""
	}
	return f.path
}

// Stat returns the object's FileInfo as of the open.
func (f *StatusFile) Stat() (fs.FileInfo, error) {
	if err := f.lock("stat"); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	return f.info, nil
}

// Read reads the status text from the file's offset; io.EOF at its end.
func (f *StatusFile) Read(p []byte) (int, error) {
	if err := f.lock("read"); err != nil {
		return 0, err
	}
	defer f.mu.Unlock()
	return f.r.Read(p)
}

// ReadAt reads the status text at off, as io.ReaderAt specifies.
func (f *StatusFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.lock("readat"); err != nil {
		return 0, err
	}
	defer f.mu.Unlock()
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.path, Err: kind.NegativeOffset(off)}
	}
	return f.r.ReadAt(p, off)
}

// Seek sets the offset for the next Read, as io.Seeker specifies.
func (f *StatusFile) Seek(offset int64, whence int) (int64, error) {
	if err := f.lock("seek"); err != nil {
		return 0, err
	}
	defer f.mu.Unlock()
	cur, _ := f.r.Seek(0, io.SeekCurrent)
	off, err := kind.Seek(offset, whence, cur, func(bool) (int64, error) { return f.r.Size(), nil })
	if err != nil {
		return 0, &fs.PathError{Op: "seek", Path: f.path, Err: err}
	}
	return f.r.Seek(off, io.SeekStart)
}

// Write fails: a file opened to look is not open for writing (an error
// matching fs.ErrPermission and syscall.EBADF). Send and release through a
// handle from the namespace's OpenFile or Open* methods.
func (f *StatusFile) Write([]byte) (int, error) {
	if err := f.lock("write"); err != nil {
		return 0, err
	}
	defer f.mu.Unlock()
	return 0, &fs.PathError{Op: "write", Path: f.path, Err: kind.NotWritable()}
}

// Close closes the file; a second Close gives fs.ErrClosed.
func (f *StatusFile) Close() error {
	if err := f.lock("close"); err != nil {
		return err
	}
	defer f.mu.Unlock()
	f.closed = true
	return nil
}
