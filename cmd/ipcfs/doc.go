// Command ipcfs lists, creates, inspects and uses the host's POSIX IPC
// objects: shared memory segments (shm/NAME), message queues (mq/NAME) and
// named semaphores (sem/NAME), the same objects C programs open with
// shm_open, mq_open and sem_open and Python with posix_ipc.
//
// Usage:
//
//	ipcfs ls [-l] [-b|--bytes] [--json] [shm|mq|sem|KIND/NAME]...
//	ipcfs stat [--json] KIND/NAME
//	ipcfs limits [-b|--bytes] [--json]
//	ipcfs mk shm/NAME [--size N] [--mode MODE] [--exist-ok]
//	ipcfs mk mq/NAME [--max-messages N] [--message-size N] [--mode MODE] [--exist-ok]
//	ipcfs mk sem/NAME [--value N] [--mode MODE] [--exist-ok]
//	ipcfs rm KIND/NAME|KIND/PATTERN...
//	ipcfs rm --all KIND...
//	ipcfs cat shm/NAME
//	ipcfs write [--truncate] shm/NAME
//	ipcfs send [--priority P] [--timeout D] mq/NAME MESSAGE...
//	ipcfs recv [-n N] [--timeout D] [--json] mq/NAME
//	ipcfs post sem/NAME [N]
//	ipcfs wait [--timeout D] sem/NAME
//	ipcfs demo [--iterations N] [--transport shm|mq|all] [--json]
//	ipcfs help [COMMAND]
//	ipcfs --version
//
// Flags may come before or after the other arguments, with one or two
// dashes, and before the command too (ipcfs --json ls); "--" ends the flags
// (send -- -starts-with-a-dash). -V or --version prints the version (see
// ipcfs.Version) with the Go version and platform, for bug reports. A
// mistyped command or flag gets a suggestion ("did you mean").
//
// NAME is a POSIX name without its slash. A name that holds bytes that are
// not printable UTF-8 (control characters, terminal escapes, invalid
// UTF-8), a pattern character (* ? [ \) or starts with a double quote is
// printed, and taken back, as a Go string literal: shm/"\x1b[31mred",
// sem/"job-\xff". Names that are not UTF-8 cannot be reached through io/fs
// (the library's ReadDir leaves them out, its Stat and Remove refuse them):
// ls lists them anyway, from the host's directory, and says so on stderr;
// stat, rm and the other commands reach them through the calls that take
// POSIX names (ipcfs.OpenShm, ipcfs.RemoveShm, ...). All human output,
// error messages included, escapes bytes that are not printable; JSON keeps
// names exact.
//
// Sizes take a k, m or g suffix (binary). A --timeout is a Go duration
// (500ms, 2s) bounding each wait; 0 means do not wait at all (a would-block
// error instead); without it a wait lasts until it succeeds or Ctrl-C.
//
// ls without arguments lists every kind; when the mqueue file system is not
// mounted at /dev/mqueue it lists the other kinds and prints a warning on
// stderr; stat and ls of a queue named directly still work then, through a
// handle on the queue. ls -l prints sizes human-readable (4K, 1.5M; -b or
// --bytes for exact bytes) and times to the second with the zone's offset.
//
// limits shows, as lsipc does, the host's message queue limits (queues_max,
// msg_max, msgsize_max, msg_default, msgsize_default), RLIMIT_MSGQUEUE, an
// estimate of how much of it this user has used, and the size and use of
// /dev/shm. The kernel counts queue bytes per user across every IPC
// namespace and shows the count nowhere: the estimate adds up the charge of
// the queues this user owns that are visible in this IPC namespace's
// /dev/mqueue, and says so.
//
// mk never changes what exists, as ipcmk and mkdir: an existing object is an
// error (exit 1, "already exists"). With --exist-ok an existing object is
// fine and left as it is; mk then checks the size (--size) or queue
// attributes (--max-messages, --message-size) given, if any, and fails
// naming the difference; the mode (subject to the umask) and a semaphore's
// value (it changes with use) are not checked. Without --size a segment is
// created empty. Without --max-messages and --message-size a queue gets the
// kernel's defaults (/proc/sys/fs/mqueue/msg_default and msgsize_default);
// with only one, the other is posix_ipc's default (ipcfs.MqMaxMessagesDefault
// or ipcfs.MqMessageSizeDefault).
//
// rm removes the objects named, every object of a kind whose name matches a
// pattern (path.Match: rm 'shm/job-*'), or, with --all, every object of the
// kinds named, as ipcrm -a does; it asks nothing, prints "removed PATH" for
// each object a pattern or --all removed, reports what it could not remove
// and goes on. A quoted name is never a pattern.
//
// write copies stdin into the segment from offset 0, growing it as needed;
// bytes past the end of the input stay unless --truncate. send sends each
// argument as one message; the argument "-" sends each line of stdin
// (without its newline) as one message, reading at most the queue's message
// size plus one byte per line: a longer line stops it at once (exit 1), so
// endless input never fills memory. recv prints each message on one line,
// with backslashes doubled and newlines and every other byte that is not
// printable escaped as in Go (\n, \x1b); --json gives the exact bytes.
//
// Ctrl-C (SIGINT) or SIGTERM stops any command promptly: a wait ends having
// taken or sent nothing, and a long command stops and says how far it got
// ("interrupted after releasing 1234 of 2000000000 units", "after sending
// 3 messages", "after copying 1048576 of 8388608 bytes"). A command blocked
// writing to a pipe nobody reads is ended 2 seconds after the signal, with
// the same report; a second signal kills at once.
//
// # Exit status
//
//	0    success
//	1    an error; a one-line message on stderr names the object and the
//	     cause, e.g. "ipcfs: shm/x: no such object" ("already exists",
//	     "permission denied", "timed out", "would block", or the system's
//	     error text)
//	2    a usage error (unknown command or flag, bad argument, negative
//	     --timeout)
//	3    a wait timed out (--timeout D) or would have blocked (--timeout 0)
//	130  interrupted by SIGINT (Ctrl-C) or SIGTERM, the shell's convention
//
// demo runs posix_ipc's Mrs. Premise / Mrs. Conclusion conversation with a
// copy of itself over shared memory plus a semaphore and over a message
// queue (see 'ipcfs help demo'). It holds an flock on its
// shm/ipcfs-demo-PID-RANDOM-lock while it runs; a later demo removes the
// objects of a demo that was killed only once it can take that lock itself,
// which no process, in any PID namespace, can fake.
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
//	name          the POSIX name without its slash, exact; for a name that
//	              is not UTF-8, its quoted form (as ls prints it)
//	name_base64   only for a name that is not UTF-8 (which io/fs cannot
//	              reach): the exact name, base64 (standard, padded)
//	path          kind/name, the object's path in the namespace; for a name
//	              that is not UTF-8, kind/ and the quoted name, which the
//	              commands take (they also want the quoted form, as ls
//	              prints it, for names with pattern characters, bytes that
//	              are not printable or a leading double quote)
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
//
// limits --json prints one object:
//
//	{"version":"(devel)","mq":{"ipc_namespace":"ipc:[4026531839]",
//	 "queues_max":256,"msg_max":10,"msgsize_max":8192,"msg_default":10,
//	 "msgsize_default":8192,"rlimit_msgqueue":819200,
//	 "rlimit_msgqueue_max":819200,"uid":0,"queues":3,"own_queues":2,
//	 "used_estimate":1792,"estimate_note":"..."},"shm":{"dir":"/dev/shm",
//	 "size":1073741824,"used":8192,"available":1073733632,"segments":2,
//	 "segment_bytes":8192,"semaphores":1}}
//
//	version              ipcfs.Version()
//	mq                   message queues (omitted, with "mq_error" saying
//	                     why, where there are none)
//	ipc_namespace        the IPC namespace the queue limits are of
//	                     (/proc/self/ns/ipc; omitted when unknown)
//	queues_max, msg_max, msgsize_max, msg_default, msgsize_default
//	                     /proc/sys/fs/mqueue
//	rlimit_msgqueue, rlimit_msgqueue_max
//	                     RLIMIT_MSGQUEUE, soft and hard, in bytes; -1 is
//	                     unlimited
//	uid                  the real uid queues are charged to
//	queues               queues in this namespace's /dev/mqueue
//	own_queues           those owned by uid
//	used_estimate        what the kernel charges for own_queues, in bytes
//	own_queues_unknown_size
//	                     own queues whose size could not be read (not in
//	                     used_estimate; omitted when none)
//	estimate_note        what used_estimate counts and misses; queues,
//	                     own_queues and used_estimate are omitted when the
//	                     queues cannot be listed (the note says why)
//	shm                  /dev/shm (omitted, with "shm_error", when unknown)
//	dir, size, used, available
//	                     the file system and its use, in bytes
//	segments, segment_bytes, semaphores
//	                     the objects in it and the bytes segments hold
//
// demo --json prints a report with "version", "iterations", "transports"
// (each with "transport", "objects", "round_trips", "seconds",
// "round_trips_per_second", "verified", "removed" and, on failure,
// "error"), "stale_removed", "interrupted" and "ok".
package main
