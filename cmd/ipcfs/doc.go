// Command ipcfs lists, creates, inspects and uses the host's POSIX IPC
// objects: shared memory segments (shm/NAME), message queues (mq/NAME) and
// named semaphores (sem/NAME), the same objects C programs open with
// shm_open, mq_open and sem_open and Python with posix_ipc.
//
// Usage:
//
//	ipcfs ls [-l] [--json] [shm|mq|sem|KIND/NAME]...
//	ipcfs stat [--json] KIND/NAME
//	ipcfs mk shm/NAME --size N [--mode 0600] [--excl]
//	ipcfs mk mq/NAME [--max-messages N] [--message-size N] [--mode 0600] [--excl]
//	ipcfs mk sem/NAME [--value N] [--mode 0600] [--excl]
//	ipcfs rm KIND/NAME...
//	ipcfs cat shm/NAME
//	ipcfs write [--truncate] shm/NAME
//	ipcfs send [--priority P] [--timeout D] mq/NAME MESSAGE...
//	ipcfs recv [-n N] [--timeout D] [--json] mq/NAME
//	ipcfs post sem/NAME [N]
//	ipcfs wait [--timeout D] sem/NAME
//	ipcfs demo [--iterations N] [--transport shm|mq|all] [--json]
//	ipcfs help [COMMAND]
//
// Flags may come before or after the other arguments, with one or two
// dashes; "--" ends the flags (send -- -starts-with-a-dash). NAME is a POSIX
// name without its slash. Sizes take a k, m or g suffix (binary). A
// --timeout is a Go duration (500ms, 2s) bounding each wait; 0 means do not
// wait at all (a would-block error instead); without it a wait lasts until
// it succeeds or Ctrl-C.
//
// ls without arguments lists every kind; when the mqueue file system is not
// mounted at /dev/mqueue it lists the other kinds and prints a warning on
// stderr; stat and ls of a queue named directly still work then, through a
// handle on the queue. mk opens an existing object unless --excl is given
// (then it fails with "already exists"): an existing segment is resized to a
// --size other than 0, an existing queue keeps its attributes and an
// existing semaphore its value. Without --max-messages and --message-size a
// queue gets the kernel's defaults (/proc/sys/fs/mqueue/msg_default and
// msgsize_default); with only one, the other is posix_ipc's default
// (ipcfs.MqMaxMessagesDefault or ipcfs.MqMessageSizeDefault). write copies
// stdin into the segment from offset 0, growing it as needed; bytes past the
// end of the input stay unless
// --truncate. send sends each argument as one message; the argument "-"
// sends each line of stdin (without its newline) as one message. recv prints
// each message followed by a newline.
//
// # Exit status
//
//	0  success
//	1  an error; a one-line message on stderr names the object and the
//	   cause, e.g. "ipcfs: shm/x: no such object" ("already exists",
//	   "permission denied", "timed out", "would block", "interrupted", or
//	   the system's error text)
//	2  a usage error (unknown command or flag, bad argument, negative
//	   --timeout)
//	3  a wait timed out (--timeout D) or would have blocked (--timeout 0)
//
// demo runs posix_ipc's Mrs. Premise / Mrs. Conclusion conversation with a
// copy of itself over shared memory plus a semaphore and over a message
// queue, and exits 130 when interrupted (see 'ipcfs demo -h').
//
// # JSON output
//
// The JSON output is stable: fields are only ever added. ls --json prints
// one JSON array, one object per line; stat --json prints one object. Each
// object describes one IPC object:
//
//	{"kind":"shm","name":"x","path":"shm/x","size":4096,"mode":"0600",
//	 "uid":0,"gid":0,"owner":"root","mtime":"2026-11-26T22:30:00Z"}
//
//	kind          "shm", "mq" or "sem"
//	name          the POSIX name without its slash
//	path          kind/name, as the commands take it
//	size          FileInfo.Size: a segment's size in bytes; for a queue the
//	              bytes queued; for a semaphore its value (the units a Read
//	              could take)
//	mode          permission bits, four octal digits
//	uid, gid      owner and group (omitted when unknown)
//	owner         the owner's user name, or the uid as a string (omitted
//	              when unknown)
//	mtime         last modification, RFC 3339 in UTC (omitted when unknown)
//	messages      mq only: messages queued now
//	max_messages  mq only: the queue's capacity
//	message_size  mq only: the largest message the queue takes, in bytes
//	              (the three mq fields are omitted when the queue cannot be
//	              opened to read them, e.g. without read permission)
//	value         sem only: the semaphore's value
//
// recv --json prints one object per message, one per line:
//
//	{"priority":1,"size":5,"message":"hello"}
//	{"priority":0,"size":3,"message_base64":"/wAB"}
//
// with "message" holding the text when the bytes are valid UTF-8 and
// "message_base64" (standard encoding, padded) instead when they are not.
package main
