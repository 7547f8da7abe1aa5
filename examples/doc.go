// Package examples holds no code: its subdirectories are programs that show
// ipcfs at work, Go versions of the demos that ship with Python's posix_ipc,
// each ipcfs call with the posix_ipc line it replaces beside it.
//
//   - premise, conclusion: Mrs. Premise and Mrs. Conclusion talk through
//     shared memory and a semaphore (posix_ipc's demo).
//   - mqpremise, mqconclusion: the same conversation over one message queue
//     (demo2).
//   - c: the four programs above in C against glibc's shm_open, sem_open and
//     mq_open; every pairing of a Go and a C side works, and so does pairing
//     with posix_ipc's Python demos, since all read the same params.txt.
//   - notify: queue notifications, one-shot and repeating, by signal and by
//     callback (demo3).
//   - semlock: a semaphore used as a lock by a parent and its children
//     (demo4).
//   - mqselect: waiting on several queues at once with goroutines, contexts
//     and deadlines, Go's answer to selectors (demo5).
//   - conversation: what the four conversation programs share (params.txt,
//     the digest), and the conversation as an engine for `ipcfs demo`.
//
// The tests in this directory build and run each of them.
package examples
