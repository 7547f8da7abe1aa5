package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

var mkCommand = &command{
	name: "mk",
	args: "shm/NAME [--size N] [--mode MODE] [--exist-ok]\n" +
		"mq/NAME [--max-messages N] [--message-size N] [--mode MODE] [--exist-ok]\n" +
		"sem/NAME [--value N] [--mode MODE] [--exist-ok]",
	summary: "create an object; never changes one that exists",
	help: `
Like ipcmk and mkdir, mk never changes what exists: an existing object is an
error (exit 1, "already exists"). With --exist-ok an existing object is
fine, and nothing about it changes; mk then checks that it has the size
(--size) or queue attributes (--max-messages, --message-size) given, if
any, and fails naming the difference otherwise. The mode is not checked
(a new object's mode is --mode less the umask), nor a semaphore's value
(it changes with use). Without --size a segment is created empty.`,
	flags: func(fl *flag.FlagSet) any {
		o := &mkOptions{fl: fl, mode: 0o600}
		fl.Var(&o.size, "size", "shm: segment size, `N` bytes with an optional k, m or g suffix (default: 0, empty)")
		fl.Int64Var(&o.maxMessages, "max-messages", 0, "mq: capacity, `N` messages (default: the kernel's msg_default; with only --message-size: msg_max)")
		fl.Var(&o.messageSize, "message-size", "mq: largest message, `N` bytes (default: the kernel's msgsize_default; with only --max-messages: 8192 or msgsize_max if lower)")
		fl.Uint64Var(&o.value, "value", 0, "sem: the semaphore's initial value, `N`")
		fl.Var(&o.mode, "mode", "permission bits of the new object, `MODE` in octal")
		fl.BoolVar(&o.existOK, "exist-ok", false, "an existing object is not an error: check it, change nothing")
		fl.BoolVar(&o.excl, "excl", false, "deprecated: mk always fails on an existing object now")
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
	existOK     bool
	excl        bool
}

func runMk(e *env, opts any, args []string) error {
	o := opts.(*mkOptions)
	if len(args) != 1 {
		return usagef("want exactly one object path")
	}
	if o.excl && o.existOK {
		return usagef("--excl and --exist-ok contradict each other")
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
	// Always O_EXCL: an existing object is never opened for writing, so
	// never resized or truncated.
	f, err := cli(obj.kind).mk(e, o, set, obj, os.O_RDWR|os.O_CREATE|os.O_EXCL, fs.FileMode(o.mode))
	var u *usageError
	switch {
	case errors.As(err, &u):
		return err
	case errors.Is(err, fs.ErrExist) && o.existOK:
		return checkExisting(e, o, set, obj)
	case errors.Is(err, fs.ErrExist):
		return pathErr(obj.String(), &hintError{err, "mk never changes an existing object; --exist-ok accepts it as it is"})
	case err != nil:
		return pathErr(obj.String(), err)
	}
	return pathErr(obj.String(), f.Close())
}

// checkExisting is mk --exist-ok on the existing object obj: it looks, and
// fails when obj differs from what the flags in set ask for.
func checkExisting(e *env, o *mkOptions, set map[string]bool, obj object) error {
	fi, err := statObject(e, obj)
	if err != nil {
		return pathErr(obj.String(), err)
	}
	en := newEntry(obj.kind, obj.name, fi, owners{})
	if diff := cli(obj.kind).differs(o, set, &en); diff != "" {
		return pathErr(obj.String(), fmt.Errorf("exists with %s (mk never changes an existing object)", diff))
	}
	return nil
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
