package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"io"
	"os"
	"unicode/utf8"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

var sendCommand = &command{
	name:    "send",
	args:    "[--priority P] [--timeout D] mq/NAME MESSAGE...",
	summary: "send each argument as one message ('-': each line of stdin)",
	flags: func(fl *flag.FlagSet) any {
		o := new(sendOptions)
		fl.UintVar(&o.priority, "priority", 0, "message priority, 0 to 32767 (higher is received first)")
		fl.Var(&o.timeout, "timeout", "how long each send may wait while the queue is full, a Go `duration` (500ms, 2s; 0: do not wait; default: as long as it takes)")
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
	flags: func(fl *flag.FlagSet) any {
		o := &recvOptions{count: 1}
		fl.IntVar(&o.count, "n", 1, "number of messages to receive")
		fl.Var(&o.timeout, "timeout", "how long each receive may wait while the queue is empty, a Go `duration` (500ms, 2s; 0: do not wait; default: as long as it takes)")
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
	send := func(msg []byte) error {
		ctx, cancel := waitContext(e.ctx, &o.timeout)
		defer cancel()
		return pathErr(obj.String(), q.Send(ctx, msg, o.priority))
	}
	for _, m := range args[1:] {
		if m != "-" {
			if err := send([]byte(m)); err != nil {
				return err
			}
			continue
		}
		r := bufio.NewReader(newCtxReader(e.ctx, e.stdin))
		for {
			line, rerr := r.ReadBytes('\n')
			if rerr != nil && rerr != io.EOF {
				if e.ctx.Err() != nil {
					return pathErr(obj.String(), rerr)
				}
				return pathErr("stdin", rerr)
			}
			if len(line) > 0 {
				if err := send(bytes.TrimSuffix(line, []byte("\n"))); err != nil {
					return err
				}
			}
			if rerr == io.EOF {
				break
			}
		}
	}
	return nil
}

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
	buf := make([]byte, max(attr.MessageSize, 1))
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	for range o.count {
		ctx, cancel := waitContext(e.ctx, &o.timeout)
		n, prio, err := q.Receive(ctx, buf)
		cancel()
		if err != nil {
			return pathErr(obj.String(), err)
		}
		if o.json {
			err = writeJSON(out, newReceived(buf[:n], prio))
		} else {
			out.Write(buf[:n])
			err = out.WriteByte('\n')
		}
		if err != nil {
			return err
		}
		// Each message reaches stdout before the next wait starts.
		if err := out.Flush(); err != nil {
			return err
		}
	}
	return nil
}
