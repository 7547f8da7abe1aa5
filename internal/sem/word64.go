//go:build !(386 || arm || mips || mipsle)

package sem

// glibc's semaphore with 64-bit atomics: value and nwaiters in one 64-bit
// word (nptl/sem_post.c, sem_waitcommon.c, __HAVE_64B_ATOMICS).

import (
	"sync/atomic"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sys"
	"golang.org/x/sys/cpu"
)

// Size is the size of a semaphore (sizeof(sem_t)) and of its file.
const Size = 32

const (
	valMask = 1<<32 - 1
	waiter  = 1 << 32 // one unit of nwaiters
)

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
// of data, at offset 0 on little-endian machines and 4 on big-endian ones
// (glibc's SEM_VALUE_OFFSET).
func (w Word) futexAddr() *uint32 {
	p := unsafe.Pointer(w.data)
	if cpu.IsBigEndian {
		p = unsafe.Add(p, 4)
	}
	return (*uint32)(p)
}

// armSleep prepares a registered waiter to sleep and returns the value of
// the futex word it sleeps on: the value 0, so it sleeps only while no
// unit is there, which closes the race with a post. Nothing else is needed:
// nwaiters, which posters read, already counts the waiter.
func (w Word) armSleep() uint32 { return 0 }

// Load returns the raw 64-bit word (value | nwaiters<<32).
func (w Word) Load() uint64 { return atomic.LoadUint64(w.data) }

// Value returns the value (sem_getvalue).
func (w Word) Value() uint32 { return uint32(w.Load() & valMask) }

// Waiters returns the number of registered waiters in all processes,
// including stale ones left by killed processes.
func (w Word) Waiters() uint32 { return uint32(w.Load() >> 32) }

// State returns the value and nwaiters, read at once.
func (w Word) State() State {
	d := w.Load()
	return State{Value: uint32(d & valMask), Waiters: uint32(d >> 32)}
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
