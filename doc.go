// Package ipcfs is POSIX IPC for Go, with every IPC object a file.
//
// Named shared memory (shm_open), POSIX message queues (mq_open) and named
// semaphores (sem_open) live in one namespace, an io/fs.FS with three fixed
// directories:
//
//	shm/NAME   a shared memory segment: an mmap-backed io.ReaderAt/io.WriterAt
//	mq/NAME    a message queue: every Write sends one message, every Read receives one
//	sem/NAME   a named semaphore: Read acquires, Write releases
//
// Those are the files opened for I/O: by OpenFile (with any flag),
// CreateTemp, and OpenShm, OpenMq and OpenSem. What the fs.FS interfaces
// reach only looks: Open, ReadDir and Stat, and so fs.ReadFile, fs.WalkDir,
// fs.Sub, fs.Glob, http.FS, os.CopyFS and testing/fstest.TestFS, give a
// segment read-only and a queue or a semaphore as a short status text
// ("current_messages 2", "value 3"), whose length is its Stat's Size; they
// never receive, send, acquire or release, and never wait. That is the
// kernel's own precedent (reading /dev/mqueue/NAME consumes nothing), and
// it keeps a tool that walks the namespace and reads each file, or an HTTP
// client of a served one, from draining queues and taking every lock.
//
// The package is pure Go (no cgo) and interoperates with C programs and with
// Python's posix_ipc on the same host: segments are /dev/shm/NAME, semaphores
// are glibc's /dev/shm/sem.NAME files with glibc's layout and futex protocol,
// and queues are the kernel's.
//
// Names follow POSIX: "/name" and "name" mean the same object; an empty name,
// "." or "..", a further '/', a NUL byte or a name longer than the kernel or
// glibc stores (255 bytes; 251 for semaphores) is refused with fs.ErrInvalid.
// Shared-memory names may not start with "sem.", glibc's semaphore prefix.
// Other bytes are allowed, but an io/fs path must be valid UTF-8: ReadDir
// leaves out objects whose names are not, and only the calls by POSIX name
// (OpenShm, RemoveShm, ...) reach them (see Unlister).
//
// Every error is an *fs.PathError whose Err is the raw syscall.Errno or one of
// the fs sentinels, so errors.Is works with fs.ErrNotExist, fs.ErrExist,
// fs.ErrPermission, fs.ErrClosed, fs.ErrInvalid, os.ErrDeadlineExceeded,
// ErrWouldBlock, ErrBusy and errors.ErrUnsupported. EINTR is retried inside.
// Using a handle in a direction its open flag did not give it (receiving on
// O_WRONLY, sending on O_RDONLY, writing a read-only segment) matches
// fs.ErrPermission, posix_ipc's PermissionsError, and still syscall.EBADF.
// A handle's Name, and its errors, carry what it was opened by: the path
// ("mq/jobs") through a Namespace's OpenFile, Open and CreateTemp, as
// os.File does, and the POSIX name ("/jobs") through OpenMq and the like.
//
// Every wait follows Go's convention: a context already done or a deadline
// already past fails the call before it tries, even when it could complete
// at once, as a net.Conn and golang.org/x/sync/semaphore do. posix_ipc's
// timeout=0 is non-blocking mode for queues (SetNonblocking,
// syscall.O_NONBLOCK) and TryAcquire for semaphores.
//
// The page size, posix_ipc's PAGE_SIZE, is os.Getpagesize().
//
// Linux is the platform, on the architectures whose kernel and glibc
// layouts are proven by tests: amd64, arm64, arm (32-bit), s390x, riscv64,
// and ppc64le and loong64, which share amd64's layouts. On every other
// GOARCH (386, mips*, ppc64) and every other GOOS the package builds, and
// every call returns an error wrapping errors.ErrUnsupported.
package ipcfs
