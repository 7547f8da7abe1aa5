package ipcfs

import (
	"context"
	"io"
	"io/fs"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// File is an open object or directory of a Namespace. Every file kind is
// an fs.File and an io.Writer; what Read and Write mean depends on the kind
// (see Shm, Mq and Sem). Directories also implement
// fs.ReadDirFile.
type File interface {
	fs.File
	io.Writer
	// Name returns the name the file was opened by, which its errors carry
	// too: for a handle opened through a Namespace by path (Open, OpenFile,
	// CreateTemp), that path ("mq/jobs"), as os.File's Name returns the
	// name given to os.Open, so ns.Remove(f.Name()) removes it; for one
	// opened by POSIX name (OpenShm, OpenMq, OpenSem), that name with its
	// leading slash ("/jobs"), as posix_ipc's name attribute.
	Name() string
}

// Shm is an open shared memory segment (shm_open + mmap). It reads
// and writes like a regular file: Read/Write move the offset, ReadAt/WriteAt
// do not, writing past the end grows the segment, reading at the end returns
// io.EOF. Implemented by *ShmFile and by the in-memory segments of package
// fstest.
type Shm interface {
	File
	io.ReaderAt
	io.WriterAt
	io.Seeker
	io.ReaderFrom
	io.WriterTo
	// Size returns the segment's current size, including resizes made by
	// other handles or processes.
	Size() (int64, error)
	// Truncate resizes the segment to size bytes (ftruncate) and remaps it.
	Truncate(size int64) error
	// Sync flushes the mapping (msync); a no-op where memory is the store.
	Sync() error
}

// MqAttr holds a message queue's attributes (struct mq_attr).
type MqAttr struct {
	// MaxMessages is the queue's capacity in messages (mq_maxmsg).
	MaxMessages int64
	// MessageSize is the largest message the queue takes (mq_msgsize).
	MessageSize int64
	// CurMessages is the number of messages queued now (mq_curmsgs).
	// Ignored when creating a queue.
	CurMessages int64
	// Nonblocking reports whether the handle is in non-blocking mode
	// (O_NONBLOCK in mq_flags). Ignored when creating a queue.
	Nonblocking bool
}

// Mq is an open POSIX message queue. Write sends its argument as
// one message at the handle's default priority; Read receives one whole
// message (io.ErrShortBuffer, with nothing lost, if it does not fit: give
// readers a buffer of the queue's MessageSize, such as
// bufio.NewReaderSize(q, int(attr.MessageSize))). Messages come out highest
// priority first, FIFO within a priority. A handle opened for one direction
// fails the other with an error matching fs.ErrPermission and
// syscall.EBADF. Implemented by *MqFile and by the in-memory queues of
// package fstest.
//
// Waits follow one rule, for queues and semaphores alike: a context already
// done or a deadline already past fails the call before it tries, even when
// it could complete at once (as a net.Conn does, and
// golang.org/x/sync/semaphore); for posix_ipc's timeout=0, use non-blocking
// mode (SetNonblocking, syscall.O_NONBLOCK).
type Mq interface {
	File
	// Send sends msg at priority prio (0 to MqPriorityMax), waiting while
	// the queue is full unless the handle is non-blocking (ErrWouldBlock).
	// It returns ctx.Err() when ctx ends first and os.ErrDeadlineExceeded when
	// the write deadline passes; nothing is sent then. A ctx already done or
	// a deadline already past fails before trying.
	Send(ctx context.Context, msg []byte, prio uint) error
	// Receive receives the next message into buf and returns its length and
	// priority, waiting while the queue is empty unless the handle is
	// non-blocking (ErrWouldBlock), until ctx ends or the read deadline
	// passes (nothing received; one already done or past fails before
	// trying). A buf shorter than the message gives io.ErrShortBuffer and
	// leaves the message queued.
	Receive(ctx context.Context, buf []byte) (n int, prio uint, err error)
	// Attr returns the queue's attributes (mq_getattr).
	Attr() (MqAttr, error)
	// SetNonblocking switches the handle between blocking and non-blocking
	// mode (posix_ipc's block attribute, mq_setattr).
	SetNonblocking(nonblocking bool) error
	// SetPriority sets the priority Write sends at (0 unless set).
	SetPriority(prio uint) error
	// SetDeadline sets the read and write deadlines, as os.File does.
	SetDeadline(t time.Time) error
	// SetReadDeadline bounds Read and Receive waits.
	SetReadDeadline(t time.Time) error
	// SetWriteDeadline bounds Write and Send waits.
	SetWriteDeadline(t time.Time) error
	// Notify registers fn to be called, once, on the queue's next empty to
	// non-empty transition (mq_notify). Only one registration may exist per
	// queue across all processes: otherwise ErrBusy. fn may call Notify again.
	Notify(fn func()) error
	// CancelNotify removes this handle's registration, if any.
	CancelNotify() error
}

// Sem is an open named semaphore. Read waits until it can take one
// unit, then takes up to len(p) units without waiting more and returns how
// many it took; Write releases len(p) units. Implemented by *SemFile and by
// the in-memory semaphores of package fstest.
//
// Waits follow the rule Mq's do: a context already done or a deadline
// already past fails Acquire and Read before they try, even when a unit is
// there; TryAcquire is posix_ipc's acquire(timeout=0).
type Sem interface {
	File
	// Acquire takes one unit, waiting while the value is zero, until ctx ends
	// (ctx.Err(), nothing taken) or the read deadline passes
	// (os.ErrDeadlineExceeded). A ctx already done or a deadline already
	// past fails before trying.
	Acquire(ctx context.Context) error
	// TryAcquire takes one unit if it can without waiting, else ErrWouldBlock.
	// It never waits, so contexts and deadlines do not apply.
	TryAcquire() error
	// Release adds one unit (sem_post); at SemValueMax it fails with
	// syscall.EOVERFLOW and changes nothing.
	Release() error
	// Value returns the current value (sem_getvalue).
	Value() (int, error)
	// SetDeadline sets the deadline for waits in Read and Acquire.
	SetDeadline(t time.Time) error
	// SetReadDeadline is SetDeadline.
	SetReadDeadline(t time.Time) error
}

// Namespace is a POSIX IPC namespace: the host's (*FS, from New) or an
// in-memory one (package fstest). Paths follow fs.ValidPath: "." is the root
// holding the three directories "shm", "mq" and "sem"; objects are
// "shm/NAME", "mq/NAME" and "sem/NAME".
//
// A POSIX name may hold any bytes but '/' and NUL, and fs.ValidPath takes
// only valid UTF-8, so an object whose name is not valid UTF-8 (anyone can
// plant one in /dev/shm) has no path: ReadDir leaves it out, and only the
// calls by POSIX name (OpenShm, OpenMq, OpenSem, RemoveShm, ...) reach it.
// Namespaces that can hold such objects list them with Unlisted (Unlister).
//
// What the fs.FS interfaces reach only looks: Open, ReadDir, Stat, and so
// fs.ReadFile, fs.WalkDir, fs.Sub, fs.Glob, http.FS, os.CopyFS and
// testing/fstest.TestFS, never receive, send, acquire or release, and never
// wait. Open gives a segment read-only and a queue or a semaphore as a
// short status text (see MqInfo.Status and SemInfo.Status), as reading the
// kernel's /dev/mqueue/NAME does: otherwise a tool that walks a namespace
// and reads each file, or an HTTP client of a served one, would drain the
// queues and take every semaphore. Receiving and acquiring are for the
// handles of OpenFile (with any flag), CreateTemp and the Open* methods.
type Namespace interface {
	fs.ReadDirFS
	fs.StatFS
	// OpenFile opens or creates the object at path for I/O (a queue's Read
	// receives, a semaphore's acquires): flag takes os.O_RDONLY,
	// os.O_WRONLY, os.O_RDWR, os.O_CREATE, os.O_EXCL, os.O_TRUNC (shm) and
	// syscall.O_NONBLOCK (queues); perm is the mode of a new object. New
	// queues get the system's default attributes and new semaphores value 0.
	// The handle's Name is path.
	OpenFile(path string, flag int, perm fs.FileMode) (File, error)
	// Remove unlinks the object at path; open handles keep working.
	Remove(path string) error
	// CreateTemp creates a new object in dir ("shm", "mq" or "sem") with a
	// random name made from pattern, as os.CreateTemp does: the last "*" is
	// replaced by random characters (appended if there is none). It is
	// opened read-write with mode 0600, as a zero-size segment, a queue of
	// the system's default attributes or a semaphore of value 0 unless opts
	// say otherwise (WithPerm, WithShmSize, WithMqAttr, WithSemValue): what
	// the named opens take. The handle's Name is its path ("mq/job-x1Y2"),
	// so ns.Remove(f.Name()) removes it.
	CreateTemp(dir, pattern string, opts ...TempOption) (File, error)
	// OpenShm opens a shared memory segment; a size > 0 resizes it.
	OpenShm(name string, flag int, perm fs.FileMode, size int64) (Shm, error)
	// OpenMq opens a message queue; attr sets a new queue's capacity and
	// message size (nil: the system defaults).
	OpenMq(name string, flag int, perm fs.FileMode, attr *MqAttr) (Mq, error)
	// OpenSem opens a named semaphore; value is a new semaphore's value.
	OpenSem(name string, flag int, perm fs.FileMode, value uint32) (Sem, error)
	// Chmod changes the object's permission bits.
	Chmod(path string, mode fs.FileMode) error
	// Chown changes the object's owner and group.
	Chown(path string, uid, gid int) error
	// Chtimes changes the object's access and modification times.
	Chtimes(path string, atime, mtime time.Time) error
}

// MqInfo is what FileInfo.Sys returns for a message queue.
type MqInfo struct {
	// Attr holds the queue's attributes; MaxMessages and MessageSize are 0
	// when the queue could not be opened to read them (no permission).
	Attr MqAttr
	// Bytes is the number of bytes in the queued messages (the kernel's
	// QSIZE), or -1 when unknown (only a descriptor open for reading can
	// read it).
	Bytes int64
	// Stat is the raw stat of /dev/mqueue/NAME, nil when unavailable.
	Stat any
}

// Status returns the queue's status text: what opening it to look (a
// Namespace's Open) reads, and whose length is its FileInfo's Size. One
// "key value" line per fact, with posix_ipc's attribute names:
//
//	max_messages 10
//	message_size 8192
//	current_messages 2
//	bytes 14
//
// Unknown facts are left out (the first three lines without Attr, the last
// when Bytes is -1).
func (i MqInfo) Status() string {
	return kind.MqStatus(i.Attr.MaxMessages, i.Attr.MessageSize, i.Attr.CurMessages, i.Bytes)
}

// SemInfo is what FileInfo.Sys returns for a semaphore.
type SemInfo struct {
	// Value is the semaphore's value when it was stat'ed.
	Value int
	// Waiters is the number of waiters registered on it then, in every
	// process (glibc's nwaiters: one per goroutine or thread waiting in
	// Acquire, Read or sem_wait; a process killed while waiting can leave a
	// stale one, which costs no more than a spurious wake-up).
	Waiters int
	// Stat is the raw stat of /dev/shm/sem.NAME (*syscall.Stat_t), nil for
	// in-memory semaphores.
	Stat any
}

// Status returns the semaphore's status text: what opening it to look (a
// Namespace's Open) reads, and whose length is its FileInfo's Size:
//
//	value 3
//	waiters 0
func (i SemInfo) Status() string { return kind.SemStatus(int64(i.Value), int64(i.Waiters)) }
