// Mqconclusion is Mrs. Conclusion of posix_ipc's demo2
// (demo2/conclusion.py): she answers mqpremise through the message queue
// mqpremise created. Each ipcfs call below has the posix_ipc line it
// replaces beside it.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/mqconclusion [-params params.txt] [-q]
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
	os.Exit(conversation.Main("mqconclusion", mqconclusion, os.Args[1:], os.Stdout, os.Stderr))
}

func mqconclusion(ctx context.Context, p conversation.Params, o conversation.Options) (err error) {
	say := func(format string, args ...any) { o.Say("mqconclusion", format, args...) }
	say("Oooo 'ello, I'm Mrs. Conclusion!")

	// Mrs. Premise has already created the message queue.
	// mq = posix_ipc.MessageQueue(params["MESSAGE_QUEUE_NAME"])
	q, err := ipcfs.OpenMq(p.MessageQueueName, os.O_RDWR, 0, nil)
	if err != nil {
		return fmt.Errorf("opening the message queue (is mqpremise running?): %w", err)
	}
	defer func() { err = errors.Join(err, q.Close()) }() // mq.close()
	// mq.max_message_size
	attr, err := q.Attr()
	if err != nil {
		return err
	}

	// mq.send(s); s, _ = mq.receive(), waiting as long as ctx lets them.
	send := func(s string) error { return q.Send(ctx, []byte(s), 0) }
	buf := make([]byte, attr.MessageSize)
	receive := func() (string, error) {
		n, _, err := q.Receive(ctx, buf)
		return string(buf[:n]), err
	}

	sent := ""
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
		// assert(s == hashlib.md5(what_i_sent).hexdigest()), except for the
		// first message, the time, which is taken as it is.
		if i > 0 && s != conversation.Digest(sent) {
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
