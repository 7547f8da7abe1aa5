// Package sem implements glibc's process-shared semaphore (nptl) on a
// mapping of a /dev/shm/sem.NAME file, the file's creation and opening the
// way glibc's sem_open does them, one mapping per semaphore per process,
// and the engine that lets any number of goroutines wait on semaphores with
// a few OS threads.
//
// glibc has two variants of the semaphore, chosen by the word size (see
// Layout for the bytes):
//
//   - 64-bit machines (word64.go): a 64-bit word holds the value in its low
//     half and nwaiters in its high half; the futex word is the low half
//     (offset 0 on little-endian machines, 4 on big-endian ones). A waiter
//     registers in nwaiters before sleeping with FUTEX_WAIT(value == 0); a
//     poster that sees nwaiters != 0 before its increment issues
//     FUTEX_WAKE(1).
//   - 32-bit machines (word32.go: 386, arm, mips, mipsle): the futex word
//     holds value<<1 and a waiters bit (bit 0), nwaiters is a field of its
//     own. A waiter registers in nwaiters, sets the bit and sleeps with
//     FUTEX_WAIT(word == 1: no unit, bit set); a poster that sees the bit
//     wakes one. A waiter that leaves clears the bit if it guesses it was
//     the last one, and repairs a wrong guess by setting it again and waking
//     as many sleepers as there are units.
//
// C programs, Python's posix_ipc and this package can use the same
// semaphore at the same time.
//
// Word is the only code that knows the layout and the protocol: where the
// futex word is, what a sleeper must do before it sleeps and what value it
// sleeps on (armSleep), and the steps of posting, registering, taking a
// unit as a registered waiter, and leaving. The engine (wait.go,
// watcher.go) uses nothing else: the futex_waitv engine and the fallback
// sleepers wait on either variant's word with its expected value.
package sem

import (
	"github.com/ipcfs/ipcfs/internal/futex"
)

// ValueMax is SEM_VALUE_MAX (INT_MAX).
const ValueMax = 1<<31 - 1

// Shared is the value of the private field of a named semaphore.
const Shared = futex.PrivateFlag

// State is what a semaphore holds: its value and nwaiters, the waiters
// registered in all processes (one per waiting goroutine of this package,
// and stale ones left by killed processes).
type State struct {
	Value   uint32
	Waiters uint32
}

// Post adds one unit (sem_post) and wakes one waiter if any is registered.
// At ValueMax it returns syscall.EOVERFLOW and changes nothing.
func (w Word) Post() error {
	owed, err := w.post()
	if owed {
		w.wake()
	}
	return err
}

// wake wakes one sleeper on the word (FUTEX_WAKE(1)), the second half of
// sem_post; errors are ignored, as glibc does.
func (w Word) wake() { futex.Wake(w.futexAddr(), 1) }

// WakeAll wakes every sleeper on the semaphore's word, in every process;
// those that find the value still zero sleep again. The engine never needs
// it (it wakes its own sleepers privately); tests use it to end a sleep
// that went wrong.
func (w Word) WakeAll() { futex.Wake(w.futexAddr(), futex.WakeAll) }

// Sleepers returns how many threads, in every process, sleep in the kernel
// on the semaphore (futex.Sleepers), waking none. Unlike Waiters it counts
// no stale registration of a killed process; tests use it to know a waiter
// is asleep.
func (w Word) Sleepers() (int, error) { return futex.Sleepers(w.futexAddr()) }
