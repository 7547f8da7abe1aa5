// Package sem implements glibc's process-shared semaphore (nptl, 64-bit
// variant) on a 32-byte mapping of a /dev/shm/sem.NAME file, the file's
// creation and opening the way glibc's sem_open does them, one mapping per
// semaphore per process, and the engine that lets any number of goroutines
// wait on semaphores with a few OS threads.
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
//
// Word (word.go) is the only code that knows the layout and the protocol:
// where the futex word is, what value a sleeper sleeps on, and the steps of
// posting, registering, taking a unit as a registered waiter, and leaving.
// The engine (wait.go, watcher.go) uses nothing else, so another variant of
// glibc's protocol (its 32-bit one, or the futex word at offset 4 on
// big-endian machines) is a different word.go, not a different engine.
package sem

import (
	"sync/atomic"
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

// State is what a semaphore holds: its value and nwaiters, the waiters
// registered in all processes (one per waiting goroutine of this package,
// and stale ones left by killed processes).
type State struct {
	Value   uint32
	Waiters uint32
}

// Decode returns the state stored in the first bytes of a semaphore (a
// file's head, read without mapping it); head holds at least 8 bytes.
func Decode(head []byte) State {
	var d uint64
	for i := 7; i >= 0; i-- {
		d = d<<8 | uint64(head[i])
	}
	return State{Value: uint32(d & valMask), Waiters: uint32(d >> 32)}
}

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

// futexAddr returns the futex word: the 32-bit value, which is the low half
// of data, at offset 0 on little-endian machines.
func (w Word) futexAddr() *uint32 {
	return (*uint32)(unsafe.Pointer(w.data))
}

// sleepValue is the value of the futex word a waiter sleeps on: it sleeps
// only while the value is 0, which closes the race with a post.
func (w Word) sleepValue() uint32 { return 0 }

// Load returns the raw 64-bit word (value | nwaiters<<32).
func (w Word) Load() uint64 { return atomic.LoadUint64(w.data) }

// State returns the value and nwaiters, read at once.
func (w Word) State() State {
	d := w.Load()
	return State{Value: uint32(d & valMask), Waiters: uint32(d >> 32)}
}

// Value returns the value (sem_getvalue).
func (w Word) Value() uint32 { return uint32(w.Load() & valMask) }

// Waiters returns the number of registered waiters in all processes,
// including stale ones left by killed processes.
func (w Word) Waiters() uint32 { return uint32(w.Load() >> 32) }

// Post adds one unit (sem_post) and wakes one waiter if any is registered.
// At ValueMax it returns syscall.EOVERFLOW and changes nothing.
func (w Word) Post() error {
	owed, err := w.post()
	if owed {
		w.wake()
	}
	return err
}

// tryPost adds one unit if no waiter is registered and nothing else
// changes the word meanwhile, in one attempt, and reports whether it did:
// the whole of a sem_post that owes no wake-up, small enough to inline.
func (w Word) tryPost() bool {
	d := atomic.LoadUint64(w.data)
	return d < ValueMax && atomic.CompareAndSwapUint64(w.data, d, d+1)
}

// tryWaitOnce takes one unit if the value is not zero, in one attempt (a
// changed word fails it), and reports whether it did: small enough to
// inline.
func (w Word) tryWaitOnce() bool {
	d := atomic.LoadUint64(w.data)
	return d&valMask != 0 && atomic.CompareAndSwapUint64(w.data, d, d-1)
}

// post adds one unit, the first half of sem_post, and reports whether a
// wake-up is owed: waiters were registered when it posted. The poster then
// wakes one (wake), or hands the unit to a registered waiter itself.
func (w Word) post() (owed bool, err error) {
	for {
		d := atomic.LoadUint64(w.data)
		if d&valMask >= ValueMax {
			return false, sys.EOVERFLOW
		}
		if atomic.CompareAndSwapUint64(w.data, d, d+1) {
			return d>>32 != 0, nil
		}
	}
}

// wake wakes one sleeper on the word (FUTEX_WAKE(1)), the second half of
// sem_post; errors are ignored, as glibc does.
func (w Word) wake() { futex.Wake(w.futexAddr(), 1) }

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

// WakeAll wakes every sleeper on the semaphore's word, in every process;
// those that find the value still zero sleep again. The engine never needs
// it (it wakes its own sleepers privately); tests use it to end a sleep
// that went wrong.
func (w Word) WakeAll() { futex.Wake(w.futexAddr(), futex.WakeAll) }

// register registers the caller as a waiter (nwaiters++, glibc's first step
// of __new_sem_wait_slow64) and, if a unit is there, takes it and
// unregisters in one step. It reports whether it took a unit; if not, the
// caller is a registered waiter until takeRegistered, unregister or
// withdraw.
func (w Word) register() bool {
	return w.takeFrom(atomic.AddUint64(w.data, waiter))
}

// takeRegistered takes a unit for a registered waiter and unregisters it,
// in one step, if the value is not zero, and reports whether it did. The
// caller may be the waiter itself, or a sleeper that takes the unit on a
// registered waiter's behalf.
func (w Word) takeRegistered() bool {
	return w.takeFrom(atomic.LoadUint64(w.data))
}

func (w Word) takeFrom(d uint64) bool {
	for d&valMask != 0 {
		if atomic.CompareAndSwapUint64(w.data, d, d-1-waiter) {
			return true
		}
		d = atomic.LoadUint64(w.data)
	}
	return false
}

// unregister removes one waiter that has slept on the word, and passes on
// a wake-up it may have consumed (linux-ipc.md 9.2): a post's FUTEX_WAKE(1)
// that reached this waiter must not leave another one asleep while units
// remain.
func (w Word) unregister() {
	d := atomic.AddUint64(w.data, ^uint64(waiter-1))
	if d&valMask != 0 && d>>32 != 0 {
		futex.Wake(w.futexAddr(), 1)
	}
}

// withdraw removes one waiter that never slept on the word itself (a
// goroutine queued behind a sleeper): no wake-up can have reached it, so
// none is passed on. The sleeper that watched for it passes on what it
// consumed (passOn).
func (w Word) withdraw() {
	atomic.AddUint64(w.data, ^uint64(waiter-1))
}

// passOn is for a sleeper that stops sleeping on the word for registered
// waiters that are all gone: a wake-up it consumed goes on to another
// waiter if units remain and anyone still waits.
func (w Word) passOn() {
	if d := atomic.LoadUint64(w.data); d&valMask != 0 && d>>32 != 0 {
		futex.Wake(w.futexAddr(), 1)
	}
}
