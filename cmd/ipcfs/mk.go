package main

import (
	"errors"
	"flag"
	"io/fs"
	"os"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

var mkCommand = &command{
	name: "mk",
	args: "shm/NAME --size N [--mode 0600] [--excl]\n" +
		"mq/NAME [--max-messages N] [--message-size N] [--mode 0600] [--excl]\n" +
		"sem/NAME [--value N] [--mode 0600] [--excl]",
	summary: "create an object, or open an existing one",
	flags: func(fl *flag.FlagSet) any {
		o := &mkOptions{fl: fl, mode: 0o600}
		fl.Var(&o.size, "size", "shm: segment size in `bytes` (suffix k, m, g allowed)")
		fl.Int64Var(&o.maxMessages, "max-messages", 0, "mq: capacity in messages (default: the kernel's; with only --message-size: /proc/sys/fs/mqueue/msg_max)")
		fl.Var(&o.messageSize, "message-size", "mq: largest message in `bytes` (default: the kernel's; with only --max-messages: 8192 or msgsize_max if lower)")
		fl.Uint64Var(&o.value, "value", 0, "sem: initial value of a new semaphore")
		fl.Var(&o.mode, "mode", "permission bits of a new object, in `octal`")
		fl.BoolVar(&o.excl, "excl", false, "fail if the object already exists")
		return o
	},
	run: runMk,
}

type mkOptions struct {
	fl          *flag.FlagSet
	size        sizeFlag
	maxMessages int64
	messageSize sizeFlag
	value       uint64
	mode        modeFlag
	excl        bool
}

func runMk(e *env, opts any, args []string) error {
	o := opts.(*mkOptions)
	if len(args) != 1 {
		return usagef("want exactly one object path")
	}
	obj, err := parseObject(args[0])
	if err != nil {
		return err
	}
	set := map[string]bool{}
	o.fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, k := range kind.All {
		for _, name := range cli(k).mkFlags {
			if set[name] && k != obj.kind {
				return usagef("--%s applies to %s objects, not %s", name, k.Dir, obj.kind.Dir)
			}
		}
	}
	oflag := os.O_RDWR | os.O_CREATE
	if o.excl {
		oflag |= os.O_EXCL
	}
	perm := fs.FileMode(o.mode)
	f, err := cli(obj.kind).mk(e, o, set, obj, oflag, perm)
	var u *usageError
	switch {
	case errors.As(err, &u):
		return err
	case err != nil:
		return pathErr(obj.String(), err)
	}
	return pathErr(obj.String(), f.Close())
}

// mqAttr returns the attributes for a new queue: nil (the kernel's defaults,
// /proc/sys/fs/mqueue/msg_default and msgsize_default) when neither
// attribute flag is given, else the flags, with posix_ipc's default
// (MqMaxMessagesDefault, MqMessageSizeDefault) for the one not
// given.
func mqAttr(o *mkOptions, set map[string]bool) (*ipcfs.MqAttr, error) {
	if !set["max-messages"] && !set["message-size"] {
		return nil, nil
	}
	attr := &ipcfs.MqAttr{
		MaxMessages: ipcfs.MqMaxMessagesDefault(),
		MessageSize: ipcfs.MqMessageSizeDefault(),
	}
	if set["max-messages"] {
		if o.maxMessages < 1 {
			return nil, usagef("--max-messages must be at least 1")
		}
		attr.MaxMessages = o.maxMessages
	}
	if set["message-size"] {
		if o.messageSize < 1 {
			return nil, usagef("--message-size must be at least 1")
		}
		attr.MessageSize = int64(o.messageSize)
	}
	return attr, nil
}
