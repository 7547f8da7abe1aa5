package mq

// Bookkeeping the kernel charges per message on LP64 (ipc/mqueue.c):
// sizeof(struct msg_msg) for each message and sizeof(struct
// posix_msg_tree_node) for each of up to PrioMax priorities, 48 bytes each.
const (
	msgMsgSize   = 48
	treeNodeSize = 48
)

// Cost returns the bytes a queue with capacity maxMsg and message size
// msgSize is charged against its creator's RLIMIT_MSGQUEUE on 64-bit Linux
// (mqueue_get_inode): maxMsg*msgSize plus the bookkeeping, 96 bytes per
// message up to 32,768 messages.
func Cost(maxMsg, msgSize int64) int64 {
	return maxMsg*msgSize + maxMsg*msgMsgSize + min(maxMsg, PrioMax)*treeNodeSize
}
