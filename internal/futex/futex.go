// Package futex is a thin wrapper over the Linux futex(2) system call, the
// two operations glibc's process-shared semaphores use: FUTEX_WAIT and
// FUTEX_WAKE (and Sleepers, a count of the sleepers for tests), without
// FUTEX_PRIVATE_FLAG, so waiters and wakers in different
// processes that map the same file meet on the same (inode, offset) key.
//
// Wait blocks its goroutine's OS thread inside the kernel: it is issued
// with syscall.Syscall6, which tells the scheduler the thread is in a
// system call, so other goroutines keep running on other threads. Each
// blocked waiter therefore costs one OS thread for as long as it sleeps.
//
// On systems other than Linux both functions return errors.ErrUnsupported.
package futex

// The futex operations used (linux/futex.h). FUTEX_PRIVATE_FLAG (128) is
// deliberately absent: named semaphores use shared futexes.
const (
	opWait       = 0 // FUTEX_WAIT: sleep if *addr == val, relative timeout
	opWake       = 1 // FUTEX_WAKE: wake up to n waiters
	opCmpRequeue = 4 // FUTEX_CMP_REQUEUE: wake some, move others to another futex

	// PrivateFlag is FUTEX_PRIVATE_FLAG, the value glibc stores in a named
	// semaphore's private field to select shared futexes.
	PrivateFlag = 128
)

// WakeAll is the n that Wake takes to wake every waiter (INT_MAX).
const WakeAll = 1<<31 - 1
