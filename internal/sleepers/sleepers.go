// Package sleepers is the process-wide budget of kernel sleepers: threads
// that wait for other processes inside a blocking system call (a futex
// wait on a semaphore, a message queue receive) and so each hold an OS
// thread for as long as they sleep.
//
// Waiting goroutines do not each sleep in the kernel: they queue in Go, and
// a few sleepers wait in the kernel on their behalf. A sleeper that only
// makes a wait faster (a goroutine sleeping in the kernel itself, which
// saves a hand-off through the scheduler on wake-up) takes a slot with
// TryAcquire and does without when the budget is spent. A sleeper that
// correctness needs (the one that watches a semaphore for its queued
// goroutines) takes one with Acquire, which never refuses and may go over
// Budget. Every slot taken is given back with Release.
//
// Semaphore waiters (internal/sem) draw from this budget; message queue
// waiters are to draw from the same one, so that the thread bound holds for
// both kinds at once.
package sleepers

import "sync/atomic"

// Budget is the number of kernel sleepers a process keeps by choice: 4.
// Measured (bench, BenchmarkSemWaiters10k, 2 cores): 10,000 goroutines
// blocked on 100 semaphores use 5 + Budget OS threads (Budget 1: 6, 4: 8,
// 8: 12-13, 12: 17), and neither their wake-up latency nor the time to wake
// them all changes with it beyond noise; two processes playing ping-pong
// need one sleeper each to wake at C's speed. 4 keeps that case at half the
// 16-thread target, leaving room for queue waiters under the same budget,
// and still lets a few semaphores be waited on at C's speed at once.
const Budget = 4

var inUse atomic.Int32

// TryAcquire takes a slot if fewer than Budget are in use and reports
// whether it did.
func TryAcquire() bool {
	for {
		n := inUse.Load()
		if n >= Budget {
			return false
		}
		if inUse.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Acquire takes a slot whatever the budget: for a sleeper without which a
// wait could not end. It may take the count over Budget.
func Acquire() { inUse.Add(1) }

// Release gives back a slot taken by TryAcquire or Acquire.
func Release() {
	if inUse.Add(-1) < 0 {
		panic("sleepers: Release without Acquire")
	}
}

// InUse returns the number of slots taken now.
func InUse() int { return int(inUse.Load()) }
