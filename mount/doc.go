// Package mount presents an ipcfs namespace as an afero.Fs
// (github.com/spf13/afero), so code written against afero reaches shared
// memory, message queues and semaphores through ordinary paths, and tests
// can swap the host namespace for an in-memory one (fstest.NewMemFS).
//
// New(ns) is the namespace alone: "/shm/NAME", "/mq/NAME" and "/sem/NAME"
// (with or without the leading slash). At(base, dir, ns) mounts it at dir
// inside another afero.Fs, so that an application that reads its paths from
// configuration gets a queue at /run/app/mq/jobs in production (base =
// afero.NewOsFs(), ns = ipcfs.New()) and in tests (base =
// afero.NewMemMapFs(), ns = fstest.NewMemFS()).
//
// What file operations mean follows the kinds: a segment is a regular file;
// on a file from OpenFile or Create, a Write on a queue sends one message
// and a Read receives one, a Read on a semaphore acquires and a Write
// releases. Such files are not seekable. Every file from OpenFile also
// implements the matching ipcfs interface (ipcfs.Shm, ipcfs.Mq or
// ipcfs.Sem), so a type assertion reaches priorities, deadlines and the
// like. Which open flags reach the namespace follows the kinds too:
// O_TRUNC for segments only, O_NONBLOCK for queues; O_APPEND and O_SYNC
// stay with the mount.
//
// Open only looks, as the namespace's own Open (fs.FS) does: a segment
// opens read-only, a queue or a semaphore as a read-only file holding its
// status text ("current_messages 2", "value 3"), whose length is its Stat's
// Size. So afero.ReadFile, afero.Walk with reads, afero.NewIOFS and
// http.FileServer over a mount never receive, acquire or wait: a tool that
// reads every file it finds must not drain queues or take locks.
//
// A file's Name is the path it was opened with (as os.File's), so it can be
// handed back to the Fs: afero.TempFile followed by Remove(f.Name()) works.
//
// Wrappers that only filter calls pass OpenFile through, and OpenFile is for
// I/O: through afero.NewReadOnlyFs, OpenFile(name, os.O_RDONLY, 0) of a
// queue still receives the messages it reads, while Open (and ReadFile)
// only looks. Use fstest.Snapshot for a view that does not change while it
// is read.
//
// AsNamespace turns a mount back into an ipcfs.Namespace that goes through
// the afero.Fs, so fstest.TestNamespace checks what code using the mount
// sees.
//
// Errors are *fs.PathError values whose Err is the errno or sentinel itself
// (never wrapped further), with the afero path the caller gave, so both
// errors.Is and the == comparisons of afero's CopyOnWriteFs work. The one
// exception is a call the file's access mode does not allow (a Write on a
// file from Open, a Read on a queue opened O_WRONLY): its Err matches both
// fs.ErrPermission and syscall.EBADF.
//
// On plan9 the package is empty: afero itself does not build there.
package mount
