package ipcfs

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func init() {
	// mq-rlimit: with RLIMIT_MSGQUEUE at 1 byte, creating any queue fails;
	// print whether the error is EMFILE and its text.
	childRoles["mq-rlimit"] = func() int {
		if err := unix.Setrlimit(unix.RLIMIT_MSGQUEUE, &unix.Rlimit{Cur: 1, Max: 1}); err != nil {
			fmt.Println("setrlimit:", err)
			return 1
		}
		name := os.Getenv("IPCFS_MQ_NAME")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 1, MessageSize: 8})
		if err == nil {
			q.Close()
			RemoveMq(name)
			fmt.Println("created")
			return 0
		}
		fmt.Printf("EMFILE=%v %v\n", errors.Is(err, syscall.EMFILE), err)
		return 0
	}
}

func init() {
	// mq-enospc: run in a private IPC namespace whose queues_max is 0;
	// creating a queue fails with ENOSPC.
	childRoles["mq-enospc"] = func() int {
		name := os.Getenv("IPCFS_MQ_NAME")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 1, MessageSize: 8})
		if err == nil {
			q.Close()
			RemoveMq(name)
			fmt.Println("created")
			return 0
		}
		fmt.Printf("ENOSPC=%v %v\n", errors.Is(err, syscall.ENOSPC), err)
		return 0
	}
}
