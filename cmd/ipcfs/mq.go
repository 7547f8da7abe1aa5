package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

var sendCommand = &command{
	name:    "send",
	args:    "[--priority P] [--timeout D] mq/NAME MESSAGE...",
	summary: "send each argument as one message ('-': each line of stdin)",
	help: `
The argument "-" sends each line of stdin, without its newline, as one
message. A line longer than the queue's message size stops send at once
(exit 1): it reads at most the message size plus one byte per line, so
endless or hostile input never fills memory.`,
	flags: func(fl *flag.FlagSet) any {
		o := new(sendOptions)
		fl.UintVar(&o.priority, "priority", 0, "message priority `P`, 0 to 32767 (higher is received first)")
		fl.Var(&o.timeout, "timeout", "how long each send may wait while the queue is full, a Go duration `D` (500ms, 2s; 0: do not wait; default: as long as it takes)")
		return o
	},
	run: runSend,
}

type sendOptions struct {
	priority uint
	timeout  timeoutFlag
}

var recvCommand = &command{
	name:    "recv",
	args:    "[-n N] [--timeout D] [--json] mq/NAME",
	summary: "receive N messages, highest priority first, one per line",
	help: `
In text mode each message is printed on one line, escaped as in Go: a
backslash as \\, a newline as \n, and every other byte that is not printable
UTF-8 as \t, \x1b, \u2028, ... (so a message never spans lines or reaches the
terminal as control characters). --json gives the exact bytes.`,
	flags: func(fl *flag.FlagSet) any {
		o := &recvOptions{count: 1}
		fl.IntVar(&o.count, "n", 1, "receive `N` messages")
		fl.Var(&o.timeout, "timeout", "how long each receive may wait while the queue is empty, a Go duration `D` (500ms, 2s; 0: do not wait; default: as long as it takes)")
		fl.BoolVar(&o.json, "json", false, `print one JSON object per message: {"priority":P,"size":N,"message":"text"} ("message_base64" when not UTF-8)`)
		return o
	},
	run: runRecv,
}

type recvOptions struct {
	count   int
	timeout timeoutFlag
	json    bool
}

// waitContext returns the context for one wait bounded by t.
func waitContext(ctx context.Context, t *timeoutFlag) (context.Context, context.CancelFunc) {
	if t.set && t.d > 0 {
		return context.WithTimeout(ctx, t.d)
	}
	return ctx, func() {}
}

// openQueue opens the queue obj with flag, non-blocking for --timeout 0.
func openQueue(e *env, obj object, flag int, t *timeoutFlag) (ipcfs.Mq, error) {
	q, err := e.ns.OpenMq(obj.name, flag, 0, nil)
	if err != nil {
		return nil, pathErr(obj.String(), err)
	}
	if t.nonblocking() {
		if err := q.SetNonblocking(true); err != nil {
			q.Close()
			return nil, pathErr(obj.String(), err)
		}
	}
	return q, nil
}

func runSend(e *env, opts any, args []string) error {
	o := opts.(*sendOptions)
	if len(args) < 2 {
		return usagef("want a queue path and at least one message")
	}
	if o.priority > ipcfs.MqPriorityMax {
		return usagef("--priority %d is above the maximum, %d", o.priority, ipcfs.MqPriorityMax)
	}
	obj, err := parseObject(args[0], kind.Mq)
	if err != nil {
		return err
	}
	q, err := openQueue(e, obj, os.O_WRONLY, &o.timeout)
	if err != nil {
		return err
	}
	defer q.Close()
	sent := e.track(obj.String(), newCounter(func(n int64) string { return "sending " + plural(n, "message") }))
	send := func(msg []byte) error {
		ctx, cancel := waitContext(e.ctx, &o.timeout)
		defer cancel()
		if err := q.Send(ctx, msg, o.priority); err != nil {
			if errors.Is(err, context.Canceled) {
				return pathErr(obj.String(), sent.interrupted())
			}
			return pathErr(obj.String(), err)
		}
		sent.add(1)
		return nil
	}
	for _, m := range args[1:] {
		if m != "-" {
			if err := send([]byte(m)); err != nil {
				return err
			}
			continue
		}
		attr, err := q.Attr()
		if err != nil {
			return pathErr(obj.String(), err)
		}
		if err := sendLines(e, obj, attr.MessageSize, send, sent); err != nil {
			return err
		}
	}
	return nil
}

// sendLines sends each line of stdin as one message of at most size bytes.
// It reads at most size+1 bytes of a line (a buffer that size, reused): a
// longer line fails at once, before anything of it is sent.
func sendLines(e *env, obj object, size int64, send func([]byte) error, sent *counter) error {
	r := bufio.NewReaderSize(newCtxReader(e.ctx, e.stdin), int(min(size, maxLineBuffer))+1)
	for lineNo := 1; ; lineNo++ {
		line, rerr := r.ReadSlice('\n')
		msg := bytes.TrimSuffix(line, []byte("\n"))
		switch {
		case rerr == bufio.ErrBufferFull || int64(len(msg)) > size:
			return pathErr(obj.String(), fmt.Errorf("stdin line %d is longer than the queue's message size (%d bytes); %s",
				lineNo, size, strings.TrimPrefix(sent.String(), "sending ")+" sent before it"))
		case rerr != nil && rerr != io.EOF:
			if e.ctx.Err() != nil {
				return pathErr(obj.String(), sent.interrupted())
			}
			return pathErr("stdin", rerr)
		}
		if len(line) > 0 {
			if err := send(msg); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
	}
}

// maxLineBuffer bounds send's line buffer whatever a queue claims: the
// kernel's hard limit on a message's size (HARD_MSGSIZEMAX, 16 MiB).
const maxLineBuffer = 16 << 20

// received is one message as recv --json prints it; exactly one of Message
// and MessageBase64 is set.
type received struct {
	Priority      uint    `json:"priority"`
	Size          int     `json:"size"`
	Message       *string `json:"message,omitempty"`
	MessageBase64 *string `json:"message_base64,omitempty"`
}

func newReceived(msg []byte, prio uint) *received {
	r := &received{Priority: prio, Size: len(msg)}
	if utf8.Valid(msg) {
		s := string(msg)
		r.Message = &s
	} else {
		s := base64.StdEncoding.EncodeToString(msg)
		r.MessageBase64 = &s
	}
	return r
}

func runRecv(e *env, opts any, args []string) error {
	o := opts.(*recvOptions)
	if len(args) != 1 {
		return usagef("want exactly one queue path")
	}
	if o.count < 1 {
		return usagef("-n must be at least 1")
	}
	obj, err := parseObject(args[0], kind.Mq)
	if err != nil {
		return err
	}
	q, err := openQueue(e, obj, os.O_RDONLY, &o.timeout)
	if err != nil {
		return err
	}
	defer q.Close()
	attr, err := q.Attr()
	if err != nil {
		return pathErr(obj.String(), err)
	}
	got := e.track(obj.String(), newCounter(func(n int64) string {
		return fmt.Sprintf("receiving %d of %s", n, plural(int64(o.count), "message"))
	}))
	buf := make([]byte, max(attr.MessageSize, 1))
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	for range o.count {
		ctx, cancel := waitContext(e.ctx, &o.timeout)
		n, prio, err := q.Receive(ctx, buf)
		cancel()
		if errors.Is(err, context.Canceled) {
			if o.count == 1 {
				return pathErr(obj.String(), &interruptedError{})
			}
			return pathErr(obj.String(), got.interrupted())
		}
		if err != nil {
			return pathErr(obj.String(), err)
		}
		if o.json {
			err = writeJSON(out, newReceived(buf[:n], prio))
		} else {
			out.Write(escapeMessage(buf[:n]))
			err = out.WriteByte('\n')
		}
		if err != nil {
			return err
		}
		// Each message reaches stdout before the next wait starts.
		if err := out.Flush(); err != nil {
			return err
		}
		got.add(1)
	}
	return nil
}
