// Package backend holds what an implementation of ipcfs.Namespace needs
// besides its objects: directory files (DirFile), file infos (NewFileInfo,
// DirInfo), the namespace's path and name rules (SplitPath, CleanName), a
// directory as an fs.FS (Sub), the look-only Open of the fs.FS interface
// (Open, StatusFile: a queue or a semaphore opened to look reads as its
// status text and takes nothing) and CreateTemp's random names
// (CreateTemp).
//
// The host namespace (ipcfs.New), the in-memory one (fstest.MemFS) and the
// afero mount are built from these same pieces, so a third-party backend
// that uses them lists, names and refuses paths exactly as they do, which
// is what fstest.TestNamespace checks. They live in this package rather
// than in package ipcfs because only backend authors call them: the ipcfs
// documentation stays about using IPC objects, not implementing them.
package backend
