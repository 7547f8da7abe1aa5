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
// a Write on a queue sends one message and a Read receives one; a Read on a
// semaphore acquires and a Write releases. Files opened on a queue or a
// semaphore are not seekable. Every file also implements the matching
// ipcfs interface (ipcfs.Shm, ipcfs.Mq or ipcfs.Sem), so a type assertion
// reaches priorities, deadlines and the like. Which open flags reach the
// namespace follows the kinds too: O_TRUNC for segments only, O_NONBLOCK
// for queues; O_APPEND and O_SYNC stay with the mount.
//
// A file's Name is the path it was opened with (as os.File's), so it can be
// handed back to the Fs: afero.TempFile followed by Remove(f.Name()) works.
//
// Wrappers that only filter calls do not make reads harmless: through
// afero.NewReadOnlyFs, Open of a queue still receives (removes) the messages
// it reads, and Open of a semaphore still acquires it. Use
// fstest.Snapshot for a view that reading cannot change.
//
// Errors are *fs.PathError values whose Err is the errno or sentinel itself
// (never wrapped further), with the afero path the caller gave, so both
// errors.Is and the == comparisons of afero's CopyOnWriteFs work.
//
// On plan9 the package is empty: afero itself does not build there.
package mount
