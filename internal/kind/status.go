package kind

import (
	"strconv"
	"strings"
)

// The status texts of queues and semaphores: what opening one to look
// (fs.FS's Open, the mount's Open) reads, in place of the messages or units
// a read through a handle would take. As with the kernel's own
// /dev/mqueue/NAME, reading the text consumes nothing. Each line is "key
// value", the keys posix_ipc's attribute names; fstest.Snapshot writes the
// same text.

// MqStatus returns the status text of a queue whose capacity is
// maxMessages messages of up to messageSize bytes, holding messages
// messages of bytes bytes in all:
//
//	max_messages 10
//	message_size 8192
//	current_messages 2
//	bytes 14
//
// maxMessages 0 means the attributes are unknown (the queue could not be
// opened to read them) and leaves out the first three lines; bytes below 0
// means the total is unknown (only a descriptor open for reading can read
// it) and leaves out the last.
func MqStatus(maxMessages, messageSize, messages, bytes int64) string {
	var b strings.Builder
	if maxMessages > 0 {
		line(&b, "max_messages", maxMessages)
		line(&b, "message_size", messageSize)
		line(&b, "current_messages", messages)
	}
	if bytes >= 0 {
		line(&b, "bytes", bytes)
	}
	return b.String()
}

// SemStatus returns the status text of a semaphore whose value is value,
// with waiters waiters registered:
//
//	value 3
//	waiters 0
func SemStatus(value, waiters int64) string {
	var b strings.Builder
	line(&b, "value", value)
	line(&b, "waiters", waiters)
	return b.String()
}

func line(b *strings.Builder, key string, v int64) {
	b.WriteString(key)
	b.WriteByte(' ')
	b.WriteString(strconv.FormatInt(v, 10))
	b.WriteByte('\n')
}
