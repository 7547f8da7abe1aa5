// Package mq holds typed wrappers for the Linux POSIX message queue system
// calls (mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_getsetattr,
// mq_notify), which golang.org/x/sys/unix numbers but does not wrap, with the
// kernel's struct layouts (struct mq_attr, struct sigevent) spelled out.
//
// The wrappers are thin, like x/sys/unix: one function per system call,
// arguments in kernel order, the syscall.Errno returned untouched (EINTR
// included; callers retry). They exist on Linux only; on other systems the
// package is empty.
package mq
