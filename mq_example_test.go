package ipcfs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ipcfs/ipcfs"
)

func ExampleOpenMq() {
	name := fmt.Sprintf("/ipcfs-example-%d", os.Getpid())
	q, err := ipcfs.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600,
		&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ipcfs.RemoveMq(name)
	defer q.Close()

	ctx := context.Background()
	q.Send(ctx, []byte("low"), 1)
	q.Send(ctx, []byte("urgent"), 9)
	q.Write([]byte("plain")) // priority 0 (SetPriority changes it)

	buf := make([]byte, 128)
	for range 3 {
		n, prio, err := q.Receive(ctx, buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s (priority %d)\n", buf[:n], prio)
	}

	// The queue is empty now: a receive waits until the deadline.
	q.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = q.Read(buf)
	fmt.Println(errors.Is(err, os.ErrDeadlineExceeded))
	// Output:
	// urgent (priority 9)
	// low (priority 1)
	// plain (priority 0)
	// true
}

func ExampleMqFile_Notify() {
	name := fmt.Sprintf("/ipcfs-example-notify-%d", os.Getpid())
	q, err := ipcfs.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600,
		&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ipcfs.RemoveMq(name)
	defer q.Close()

	arrived := make(chan struct{})
	// Called once, in its own goroutine, when the empty queue gets a message.
	if err := q.Notify(func() { close(arrived) }); err != nil {
		fmt.Println(err)
		return
	}
	q.Write([]byte("hello"))
	<-arrived
	buf := make([]byte, 128)
	n, _ := q.Read(buf)
	fmt.Printf("notified, then read %q\n", buf[:n])
	// Output:
	// notified, then read "hello"
}
