// Package fstest helps test code that uses ipcfs without touching the host.
//
// It has three parts, in the spirit of the standard library's testing/fstest:
//
//   - MemFS, an in-memory implementation of the whole ipcfs.Namespace:
//     shared memory segments are byte buffers, message queues and semaphores
//     are Go objects with the same blocking, deadline, context, priority and
//     error semantics as the host's. It follows the same description of each
//     kind as the host namespace (names, flags, sizes, modes, error texts),
//     so the two differ only where the kernel does. Every NewMemFS is
//     independent, so parallel tests never collide, and nothing reaches
//     /dev/shm or the kernel's queues.
//   - TestNamespace, a conformance suite: it takes a constructor of fresh
//     namespaces and checks, as subtests, every behaviour that the host
//     namespace (ipcfs.New), MemFS and any third-party backend must share
//     (and, through mount.AsNamespace, any afero mount of them).
//   - Snapshot, a frozen read-only copy of a namespace (shared memory
//     content, the status texts of queues and semaphores) as an fs.FS that
//     passes testing/fstest.TestFS and can be copied with os.CopyFS, within
//     a memory budget (SnapshotBudget). The live namespace only looks too,
//     but changes as processes use it.
//
// Its name is the standard library's testing/fstest's: a test that uses
// both imports this one under another name, the way this package's own
// tests do:
//
//	import (
//		"testing/fstest"
//
//		ipcfstest "github.com/ipcfs/ipcfs/fstest"
//	)
//
// Package mount (github.com/ipcfs/ipcfs/mount) turns any of these
// namespaces into an afero.Fs, and package backend
// (github.com/ipcfs/ipcfs/backend) holds the pieces a namespace of your own
// is built from.
package fstest
