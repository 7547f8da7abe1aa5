// Package futex is a thin wrapper over the Linux futex system calls that
// glibc's process-shared semaphores and ipcfs's waiting engine use:
// FUTEX_WAIT and FUTEX_WAKE on shared words (without FUTEX_PRIVATE_FLAG, so
// waiters and wakers in different processes that map the same file meet on
// the same (inode, offset) key), FUTEX_WAKE on process-private words, and
// futex_waitv (Linux 5.16+), which sleeps on up to 128 words at once, shared
// and private mixed.
//
// The sleeping calls block their goroutine's OS thread inside the kernel:
// they are issued with syscall.Syscall6, which tells the scheduler the
// thread is in a system call, so other goroutines keep running on other
// threads. Each sleeper therefore costs one OS thread for as long as it
// sleeps.
//
// On systems other than Linux every function returns errors.ErrUnsupported
// and WaitvSupported reports false.
package futex

// The futex operations used (linux/futex.h). FUTEX_PRIVATE_FLAG (128) is
// deliberately absent from the shared ones: named semaphores use shared
// futexes.
const (
	opWait = 0 // FUTEX_WAIT: sleep if *addr == val, relative timeout
	opWake = 1 // FUTEX_WAKE: wake up to n waiters

	// PrivateFlag is FUTEX_PRIVATE_FLAG, the value glibc stores in a named
	// semaphore's private field to select shared futexes.
	PrivateFlag = 128
)

// WakeAll is the n that Wake takes to wake every waiter (INT_MAX).
const WakeAll = 1<<31 - 1

// MaxWaitv is FUTEX_WAITV_MAX: the most words one WaitMultiple sleeps on.
const MaxWaitv = 128

// The flags of a futex_waitv entry (linux/futex.h).
const (
	waitvSize32  = 0x02        // FUTEX2_SIZE_U32
	waitvPrivate = PrivateFlag // FUTEX2_PRIVATE
)

// Waitv is one entry of futex_waitv(2), laid out as the kernel's struct
// futex_waitv on every architecture: the value the word must hold for the
// sleep to start, the word's address and its flags.
//
// The address is stored as an integer, which the garbage collector does not
// follow: a word in Go memory must be kept alive (and must not be on a
// goroutine stack, which may move) for as long as an entry refers to it.
type Waitv struct {
	val      uint64
	uaddr    uint64
	flags    uint32
	reserved uint32
}

// Timespec is the kernel's struct __kernel_timespec: 64-bit seconds and
// nanoseconds on every architecture, as futex_waitv takes them.
type Timespec struct {
	Sec  int64
	Nsec int64
}
