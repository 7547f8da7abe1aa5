// Package mq holds the Linux mechanics of POSIX message queues for package
// ipcfs: typed wrappers for the message queue system calls (mq_open,
// mq_unlink, mq_timedsend, mq_timedreceive, mq_getsetattr, mq_notify), which
// golang.org/x/sys/unix numbers but does not wrap, with the kernel's struct
// layouts (struct mq_attr, struct sigevent) spelled out, and the calls
// around them: stat of a queue's file, its QSIZE line, the netlink socket of
// SIGEV_THREAD notifications, RLIMIT_MSGQUEUE, whether the mqueue file
// system is mounted.
//
// The wrappers are thin, like x/sys/unix: one function per system call,
// arguments in kernel order, the syscall.Errno returned untouched except
// EINTR, which is retried (sys.Retry). On systems other than Linux every
// call fails with errors.ErrUnsupported.
package mq
