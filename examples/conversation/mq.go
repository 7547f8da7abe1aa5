package conversation

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ipcfs/ipcfs"
)

// QueueAttr is the size of the queue MqPremise creates: the conversation
// never has more than one message in flight, and a message is at most a
// 32-byte digest or a time string.
var QueueAttr = ipcfs.MqAttr{MaxMessages: 2, MessageSize: 256}

// mqTalk is one speaker's end of the queue conversation.
type mqTalk struct {
	q   ipcfs.Mq
	buf []byte
}

func newMqTalk(q ipcfs.Mq) (*mqTalk, error) {
	attr, err := q.Attr()
	if err != nil {
		return nil, err
	}
	return &mqTalk{q: q, buf: make([]byte, attr.MessageSize)}, nil
}

func (t *mqTalk) send(ctx context.Context, s string) error {
	return t.q.Send(ctx, []byte(s), 0)
}

// receiveNew receives until a message other than last arrives, sending each
// copy of last back for the other side, and returns it.
func (t *mqTalk) receiveNew(ctx context.Context, last string) (string, error) {
	for {
		n, _, err := t.q.Receive(ctx, t.buf)
		if err != nil {
			return "", err
		}
		s := string(t.buf[:n])
		if s != last {
			return s, nil
		}
		if err := t.send(ctx, s); err != nil {
			return "", err
		}
		Yield()
	}
}

// MqPremise speaks first over one message queue (posix_ipc demo2's
// premise): it creates the queue with O_EXCL and QueueAttr, sends the
// current time, then for ITERATIONS round trips receives (sending back any
// message of its own it takes), checks the reply is the digest of what it
// sent, and sends the digest of the reply. It removes the queue before
// returning, also on error or when ctx ends (the error is then ctx.Err()).
func MqPremise(ctx context.Context, p Params, o Options) (err error) {
	const who = "mqpremise"
	if err := p.Validate(); err != nil {
		return err
	}
	ns := o.ns()
	o.Say(who, "Oooo 'ello, I'm Mrs. Premise!")
	attr := QueueAttr
	q, err := ns.OpenMq(p.MessageQueueName, os.O_RDWR|os.O_CREATE|os.O_EXCL, p.Permissions, &attr)
	if err != nil {
		return fmt.Errorf("creating the message queue: %w", err)
	}
	defer func() {
		err = errors.Join(err, q.Close(), removeObject(ns, "mq", p.MessageQueueName))
	}()
	o.Say(who, "created mq %s (%d messages of up to %d bytes)", p.MessageQueueName, attr.MaxMessages, attr.MessageSize)
	t, err := newMqTalk(q)
	if err != nil {
		return err
	}
	sent := Seed()
	if err := t.send(ctx, sent); err != nil {
		return err
	}
	o.created()
	for i := 0; i < p.Iterations; i++ {
		s, err := t.receiveNew(ctx, sent)
		if err != nil {
			return err
		}
		if s != Digest(sent) {
			return corrupt(i, s, sent)
		}
		o.progress(i + 1)
		sent = Digest(s)
		if err := t.send(ctx, sent); err != nil {
			return err
		}
	}
	o.Say(who, "%d iterations complete; removing the message queue", p.Iterations)
	return nil
}

// MqConclusion answers over one message queue (posix_ipc demo2's
// conclusion): it opens the queue Premise created (fs.ErrNotExist if
// Premise has not started), then for ITERATIONS round trips receives a new
// message, checks it is the digest of what it sent last (the first, the
// time, is taken as it is) and sends the digest of it. It removes nothing.
func MqConclusion(ctx context.Context, p Params, o Options) (err error) {
	const who = "mqconclusion"
	if err := p.Validate(); err != nil {
		return err
	}
	o.Say(who, "Oooo 'ello, I'm Mrs. Conclusion!")
	q, err := o.ns().OpenMq(p.MessageQueueName, os.O_RDWR, 0, nil)
	if err != nil {
		return fmt.Errorf("opening the message queue (is mqpremise running?): %w", err)
	}
	defer func() { err = errors.Join(err, q.Close()) }()
	t, err := newMqTalk(q)
	if err != nil {
		return err
	}
	sent := ""
	for i := 0; i < p.Iterations; i++ {
		s, err := t.receiveNew(ctx, sent)
		if err != nil {
			return err
		}
		if i > 0 && s != Digest(sent) {
			return corrupt(i, s, sent)
		}
		o.progress(i + 1)
		sent = Digest(s)
		if err := t.send(ctx, sent); err != nil {
			return err
		}
	}
	o.Say(who, "%d iterations complete", p.Iterations)
	return nil
}
