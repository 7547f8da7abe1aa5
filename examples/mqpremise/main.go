// Mqpremise is Mrs. Premise of posix_ipc's demo2 (demo2/premise.py): she
// creates a message queue and talks with mqconclusion through it. Each
// ipcfs call below has the posix_ipc line it replaces beside it.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/mqpremise [-params params.txt] [-q]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/examples/conversation"
)

func main() {
	os.Exit(conversation.Main("mqpremise", mqpremise, os.Args[1:], os.Stdout, os.Stderr))
}

func mqpremise(ctx context.Context, p conversation.Params, o conversation.Options) (err error) {
	say := func(format string, args ...any) { o.Say("mqpremise", format, args...) }
	say("Oooo 'ello, I'm Mrs. Premise!")

	// mq = posix_ipc.MessageQueue(params["MESSAGE_QUEUE_NAME"], posix_ipc.O_CREX)
	// The conversation has at most one message in flight, each at most a
	// 32-byte digest or a time string: a small queue will do.
	q, err := ipcfs.OpenMq(p.MessageQueueName, os.O_RDWR|os.O_CREATE|os.O_EXCL, p.Permissions,
		&ipcfs.MqAttr{MaxMessages: 2, MessageSize: 256})
	if err != nil {
		return err
	}
	defer func() {
		// mq.close(); posix_ipc.unlink_message_queue(params["MESSAGE_QUEUE_NAME"])
		err = errors.Join(err, q.Close(), ipcfs.RemoveMq(p.MessageQueueName))
	}()

	// mq.send(s); s, _ = mq.receive(). Both wait as long as ctx lets them
	// (Ctrl-C ends them, and the deferred calls remove the queue).
	send := func(s string) error { return q.Send(ctx, []byte(s), 0) }
	buf := make([]byte, 256)
	receive := func() (string, error) {
		n, _, err := q.Receive(ctx, buf)
		return string(buf[:n]), err
	}

	// s = time.asctime(); mq.send(s)
	sent := conversation.Seed()
	if err := send(sent); err != nil {
		return err
	}
	for i := range p.Iterations {
		s, err := receive()
		// while s == what_i_sent: it is my own message; put it back.
		for err == nil && s == sent {
			if err = send(s); err == nil {
				conversation.Yield()
				s, err = receive()
			}
		}
		if err != nil {
			return err
		}
		// assert(s == hashlib.md5(what_i_sent).hexdigest())
		if s != conversation.Digest(sent) {
			return fmt.Errorf("%w after %d iterations: received %q, want the digest of %q", conversation.ErrCorrupt, i, s, sent)
		}
		// s = hashlib.md5(s).hexdigest(); mq.send(s)
		sent = conversation.Digest(s)
		if err := send(sent); err != nil {
			return err
		}
	}
	say("%d iterations complete", p.Iterations)
	return nil
}
