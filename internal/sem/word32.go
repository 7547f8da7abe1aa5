//go:build 386 || arm || mips || mipsle

package sem

// glibc's semaphore without 64-bit atomics (32-bit machines): the value
// and a waiters bit in one 32-bit word, nwaiters in another
// (sysdeps/nptl/internaltypes.h struct new_sem; nptl/sem_post.c and
// nptl/sem_waitcommon.c, the !__HAVE_64B_ATOMICS branches). Verified under
// qemu-arm against glibc 2.36's own sem_open/sem_wait/sem_post
// (TestGlibcSemaphoreOnThisArchitecture and the root package's interop
// tests).
//
// sem_t is 16 bytes, in the machine's byte order:
//
//	offset 0  uint32 value    value<<1 | SEM_NWAITERS_MASK (bit 0): the futex word
//	offset 4  int32  private  128 for sem_open (shared futexes)
//	offset 8  int32  pad
//	offset 12 uint32 nwaiters registered waiters
//
// sem_open(value 5) writes 0a 00 00 00 80 00 00 00 and eight zero bytes.
// SEM_VALUE_MAX is still INT_MAX (value<<1 fits in 32 bits).
//
// sem_post: CAS value -> value+2, unless value>>1 == SEM_VALUE_MAX
// (EOVERFLOW); then FUTEX_WAKE(1) if the word it replaced had bit 0 set.
// Posters never read nwaiters: only the bit tells them to wake.
//
// sem_wait / sem_trywait fast path: CAS value -> value-2 while value>>1 !=
// 0 (sem_wait tries once, sem_trywait until it succeeds or sees 0).
//
// Slow path: nwaiters++ (acquire); then, in a loop: if bit 0 is clear, CAS
// it set (release); if value>>1 == 0, FUTEX_WAIT(&value, expected 1 — no
// unit and the bit set), and ETIMEDOUT or EINTR end the wait; else CAS
// value -> value-2 (acquire) to take the unit. Leaving, with or without a
// unit (__sem_wait_32_finish): guess = nwaiters; if guess == 1 clear bit 0
// (we may be the last waiter); then nwaiters-- (release); if the count
// before it was above 1 although guess was 1 (someone registered
// meanwhile), set bit 0 again and FUTEX_WAKE as many as value>>1 units:
// the posts that saw the bit clear woke no one.
//
// So a waiter from another implementation must set the bit itself before
// it sleeps, or glibc's posts never wake it; registering in nwaiters alone
// (the 64-bit protocol) is not enough.

import (
	"sync/atomic"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/futex"
	"github.com/ipcfs/ipcfs/internal/sys"
)

// Size is the size of a semaphore (sizeof(sem_t)) and of its file.
const Size = 16

const (
	waitersBit = 1              // SEM_NWAITERS_MASK: bit 0 of the futex word
	unit       = 1 << 1         // one unit of the value (SEM_VALUE_SHIFT 1)
	nwaitersAt = 12             // byte offset of nwaiters
	sleepWord  = 0 | waitersBit // the futex word while no unit is there and the bit is set
)

// Word is a semaphore in memory shared with other processes: the value
// word at the start of a mapping and the nwaiters word. Its methods are
// safe for concurrent use as long as the memory stays mapped.
type Word struct {
	value    *uint32 // value<<1 | waiters bit: the futex word
	nwaiters *uint32
}

// NewWord returns the semaphore at mem, which must be at least Size bytes
// and 4-byte aligned (any mmap result is).
func NewWord(mem []byte) Word {
	return Word{
		value:    (*uint32)(unsafe.Pointer(&mem[0])),
		nwaiters: (*uint32)(unsafe.Pointer(&mem[nwaitersAt])),
	}
}

// futexAddr returns the futex word: the value word.
func (w Word) futexAddr() *uint32 { return w.value }

// armSleep prepares a registered waiter to sleep and returns the value of
// the futex word it sleeps on. It sets the waiters bit, which posters read
// (nwaiters they do not), and returns the word with no unit and the bit
// set: the waiter sleeps only while that holds, which closes the race with
// a post. glibc's waiter does the same before every FUTEX_WAIT.
func (w Word) armSleep() uint32 {
	if atomic.LoadUint32(w.value)&waitersBit == 0 {
		atomic.OrUint32(w.value, waitersBit)
	}
	return sleepWord
}

// Load returns the value and nwaiters as one number (value |
// nwaiters<<32), as the 64-bit variant stores them; for messages.
func (w Word) Load() uint64 { return uint64(w.Value()) | uint64(w.Waiters())<<32 }

// Value returns the value (sem_getvalue).
func (w Word) Value() uint32 { return atomic.LoadUint32(w.value) >> 1 }

// Waiters returns the number of registered waiters in all processes,
// including stale ones left by killed processes.
func (w Word) Waiters() uint32 { return atomic.LoadUint32(w.nwaiters) }

// State returns the value and nwaiters. They are two words here, read one
// after the other (glibc updates them apart too).
func (w Word) State() State { return State{Value: w.Value(), Waiters: w.Waiters()} }

// tryPost adds one unit if the waiters bit is clear and nothing else
// changes the word meanwhile, in one attempt, and reports whether it did:
// the whole of a sem_post that owes no wake-up, small enough to inline.
func (w Word) tryPost() bool {
	v := atomic.LoadUint32(w.value)
	return v < ValueMax<<1 && v&waitersBit == 0 && atomic.CompareAndSwapUint32(w.value, v, v+unit)
}

// tryWaitOnce takes one unit if the value is not zero, in one attempt (a
// changed word fails it), and reports whether it did: small enough to
// inline.
func (w Word) tryWaitOnce() bool {
	v := atomic.LoadUint32(w.value)
	return v >= unit && atomic.CompareAndSwapUint32(w.value, v, v-unit)
}

// post adds one unit, the first half of sem_post, and reports whether a
// wake-up is owed: the waiters bit was set when it posted. The poster then
// wakes one (wake), or hands the unit to a registered waiter itself.
func (w Word) post() (owed bool, err error) {
	for {
		v := atomic.LoadUint32(w.value)
		if v>>1 >= ValueMax {
			return false, sys.EOVERFLOW
		}
		if atomic.CompareAndSwapUint32(w.value, v, v+unit) {
			return v&waitersBit != 0, nil
		}
	}
}

// TryWait takes one unit if the value is not zero (sem_trywait) and reports
// whether it did. It never sleeps and never fails spuriously.
func (w Word) TryWait() bool {
	for {
		v := atomic.LoadUint32(w.value)
		if v < unit {
			return false
		}
		if atomic.CompareAndSwapUint32(w.value, v, v-unit) {
			return true
		}
	}
}

// register registers the caller as a waiter (nwaiters++, glibc's first step
// of __new_sem_wait_slow) and, if a unit is there, takes it and
// unregisters. It reports whether it took a unit; if not, the caller is a
// registered waiter until takeRegistered, unregister or withdraw. The
// waiters bit is set by armSleep, before any sleep.
func (w Word) register() bool {
	atomic.AddUint32(w.nwaiters, 1)
	return w.takeRegistered()
}

// takeRegistered takes a unit for a registered waiter and unregisters it,
// if the value is not zero, and reports whether it did. The caller may be
// the waiter itself, or a sleeper that takes the unit on a registered
// waiter's behalf.
func (w Word) takeRegistered() bool {
	for {
		v := atomic.LoadUint32(w.value)
		if v < unit {
			return false
		}
		if atomic.CompareAndSwapUint32(w.value, v, v-unit) {
			w.finish()
			return true
		}
	}
}

// finish removes one registered waiter: glibc's __sem_wait_32_finish. If it
// looks like the last waiter, it clears the waiters bit before leaving, so
// that later posts need not wake anyone; if that guess was wrong (another
// waiter registered meanwhile), it sets the bit again and wakes as many
// sleepers as there are units, which is what the posts that saw the bit
// clear did not do.
func (w Word) finish() {
	guess := atomic.LoadUint32(w.nwaiters)
	if guess == 1 {
		atomic.AndUint32(w.value, ^uint32(waitersBit))
	}
	before := atomic.AddUint32(w.nwaiters, ^uint32(0)) + 1
	if before > 1 && guess == 1 {
		if units := atomic.OrUint32(w.value, waitersBit) >> 1; units > 0 {
			futex.Wake(w.value, int(min(units, futex.WakeAll)))
		}
	}
}

// unregister removes one waiter that has slept on the word, and passes on
// a wake-up it may have consumed (linux-ipc.md 9.2): a post's FUTEX_WAKE(1)
// that reached this waiter must not leave another one asleep while units
// remain.
func (w Word) unregister() {
	w.finish()
	w.passOn()
}

// withdraw removes one waiter that never slept on the word itself (a
// goroutine queued behind a sleeper): no wake-up can have reached it, so
// none is passed on. The sleeper that watched for it passes on what it
// consumed (passOn).
func (w Word) withdraw() { w.finish() }

// passOn is for a sleeper that stops sleeping on the word for registered
// waiters that are all gone: a wake-up it consumed goes on to another
// waiter if units remain and anyone still waits.
func (w Word) passOn() {
	if atomic.LoadUint32(w.value) >= unit && atomic.LoadUint32(w.nwaiters) != 0 {
		futex.Wake(w.value, 1)
	}
}
