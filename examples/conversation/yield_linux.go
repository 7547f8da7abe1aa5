package conversation

import "syscall"

// Yield gives the CPU to another thread (sched_yield), so that the other
// side, just woken, gets to take the turn this side passed. posix_ipc's
// demos spin instead, which makes them much slower on few CPUs.
func Yield() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
