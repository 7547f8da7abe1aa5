// Package bench compares ipcfs with the same work done in C through glibc,
// the floor any wrapper can reach. It holds no library code: the Go side is
// a set of benchmarks (go test -bench) in its _test.go files, the C side is
// the programs in bench/c, and the script bench/run builds both, runs each
// pair interleaved several times and prints a table of medians and ratios.
//
// The workloads, each measured the same way in C and in Go:
//
//   - sem-pingpong: two processes bounce a token through two named
//     semaphores; ns per round trip.
//   - sem-fast: Release then Acquire on one semaphore in one process
//     (sem_post, sem_wait); ns per pair.
//   - mq-pingpong: two processes bounce a 64-byte message through two queues;
//     ns per round trip.
//   - mq-stream: one process sends 64-byte messages through a queue of ten,
//     another receives them; messages per second.
//   - shm-copy: io.Copy of 256 MiB into a segment already that size, from a
//     reader that yields 32 KiB chunks, against memcpy into a mapping; GB/s.
//   - shm-copy-grow: the same into a segment that starts empty and grows,
//     against write(2) of each chunk (the way C grows a file); GB/s.
//
// and, for Go only, 10,000 goroutines blocked receiving on 100 small queues
// and 10,000 blocked acquiring 100 semaphores (OS threads used, wake-up
// latency, time to wake all), how long a cancelled semaphore wait takes to
// return, and the allocations per Send, Receive, Acquire and Release.
//
// The second process of a Go workload is the test binary itself, re-executed
// with IPCFS_BENCH_CHILD naming its role. Object names start with
// IPCFS_BENCH_PREFIX (default "/ipcfs-bench-PID"); every object is unlinked
// as soon as both processes have it open.
package bench
