// Package sem implements glibc's process-shared semaphore (nptl, 64-bit
// variant) on a 32-byte mapping of a /dev/shm/sem.NAME file, and the file's
// creation and opening the way glibc's sem_open does them.
//
// The layout (little-endian, x86_64 and arm64):
//
//	offset 0  uint64 data: low 32 bits the value, high 32 bits nwaiters
//	offset 8  int32 private: 128 (FUTEX_PRIVATE_FLAG), selecting shared futexes
//	offset 12 20 zero bytes
//
// The futex word is the low half of data. A waiter registers in nwaiters
// before sleeping with FUTEX_WAIT(value == 0); a poster that sees nwaiters
// != 0 before its increment issues FUTEX_WAKE(1). C programs, Python's
// posix_ipc and this package can use the same semaphore at the same time.
package sem

import (
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// Size is the size of a semaphore (sizeof(sem_t)) and of its file.
const Size = 32

// ValueMax is SEM_VALUE_MAX (INT_MAX).
const ValueMax = 1<<31 - 1

// Shared is the value of the private field of a named semaphore.
const Shared = futex.PrivateFlag

const (
	valMask = 1<<32 - 1
	waiter  = 1 << 32 // one unit of nwaiters
)

// Image returns the 32 bytes glibc writes into a new semaphore file.
func Image(value uint32) []byte {
	b := make([]byte, Size)
	putLE(b[0:8], uint64(value))
	putLE(b[8:12], Shared)
	return b
}

func putLE(b []byte, v uint64) {
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
}

// Word is a semaphore in memory shared with other processes: the data word
// at the start of a mapping. Its methods are safe for concurrent use as long
// as the memory stays mapped.
type Word struct {
	data *uint64
}

// NewWord returns the semaphore at mem, which must be at least Size bytes
// and 8-byte aligned (any mmap result is).
func NewWord(mem []byte) Word {
	return Word{data: (*uint64)(unsafe.Pointer(&mem[0]))}
}

func (w Word) futexAddr() *uint32 {
	// Little-endian: the value is the low half, at offset 0.
	return (*uint32)(unsafe.Pointer(w.data))
}

// Load returns the raw 64-bit word (value | nwaiters<<32).
func (w Word) Load() uint64 { return atomic.LoadUint64(w.data) }

// Value returns the value (sem_getvalue).
func (w Word) Value() uint32 { return uint32(w.Load() & valMask) }

// Waiters returns the number of registered waiters in all processes,
// including stale ones left by killed processes.
func (w Word) Waiters() uint32 { return uint32(w.Load() >> 32) }

// Post adds one unit (sem_post) and wakes one waiter if any is registered.
// At ValueMax it returns syscall.EOVERFLOW and changes nothing.
func (w Word) Post() error {
	for {
		d := atomic.LoadUint64(w.data)
		if d&valMask >= ValueMax {
			return sys.EOVERFLOW
		}
		if atomic.CompareAndSwapUint64(w.data, d, d+1) {
			if d>>32 != 0 {
				futex.Wake(w.futexAddr(), 1) // errors ignored, as glibc does
			}
			return nil
		}
	}
}

// TryWait takes one unit if the value is not zero (sem_trywait) and reports
// whether it did. It never sleeps and never fails spuriously.
func (w Word) TryWait() bool {
	for {
		d := atomic.LoadUint64(w.data)
		if d&valMask == 0 {
			return false
		}
		if atomic.CompareAndSwapUint64(w.data, d, d-1) {
			return true
		}
	}
}

// WakeAll wakes every waiter on the semaphore, in every process. Waiters
// that find the value still zero sleep again; it is how a waiter of this
// process is made to re-check its context, deadline or handle.
func (w Word) WakeAll() { futex.Wake(w.futexAddr(), futex.WakeAll) }

// Wait takes one unit, sleeping while the value is zero (sem_wait). Before
// every sleep it calls next, which returns how long the sleep may last at
// most (> 0), or an error to give up with; Wait returns that error without
// having taken a unit. Each sleep is one FUTEX_WAIT, so Wait holds an OS
// thread while it sleeps.
//
// The nwaiters count is restored on every exit. A waiter that gives up
// after a wake-up may have swallowed the wake meant for a posted unit, so
// it passes the wake on when units remain and others still wait.
func (w Word) Wait(next func() (time.Duration, error)) error {
	// Fast path, one attempt, as glibc's __new_sem_wait_fast.
	if d := atomic.LoadUint64(w.data); d&valMask != 0 && atomic.CompareAndSwapUint64(w.data, d, d-1) {
		return nil
	}
	d := atomic.AddUint64(w.data, waiter) - waiter
	for {
		if d&valMask != 0 {
			// Take a unit and unregister in one step.
			if atomic.CompareAndSwapUint64(w.data, d, d-1-waiter) {
				return nil
			}
			d = atomic.LoadUint64(w.data)
			continue
		}
		timeout, err := next()
		if err != nil {
			w.unregister()
			return err
		}
		// nil (woken), EAGAIN (value moved), ETIMEDOUT (slice over),
		// EINTR: all mean re-check.
		futex.Wait(w.futexAddr(), 0, timeout)
		d = atomic.LoadUint64(w.data)
	}
}

// unregister removes one waiter and passes on a wake-up this waiter may
// have consumed (linux-ipc.md 9.2).
func (w Word) unregister() {
	d := atomic.AddUint64(w.data, ^uint64(waiter-1))
	if d&valMask != 0 && d>>32 != 0 {
		futex.Wake(w.futexAddr(), 1)
	}
}

// Sleepers returns how many threads, in every process, sleep in the kernel
// on the semaphore (futex.Sleepers), waking none. Unlike Waiters it counts
// no stale registration of a killed process; tests use it to know a waiter
// is asleep.
func (w Word) Sleepers() (int, error) { return futex.Sleepers(w.futexAddr()) }
