package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ipcfs/ipcfs"
)

var statCommand = &command{
	name:    "stat",
	args:    "[--json] KIND/NAME",
	summary: "describe one object: size, queue attributes or value, mode, owner",
	flags: func(fl *flag.FlagSet) any {
		o := new(statOptions)
		fl.BoolVar(&o.json, "json", false, "print one JSON object (see 'go doc ./cmd/ipcfs')")
		return o
	},
	run: runStat,
}

type statOptions struct{ json bool }

func runStat(e *env, opts any, args []string) error {
	o := opts.(*statOptions)
	if len(args) != 1 {
		return usagef("want exactly one object path")
	}
	obj, err := parseObject(args[0])
	if err != nil {
		return err
	}
	fi, err := statObject(e, obj)
	if err != nil {
		return pathErr(obj.String(), err)
	}
	en := newEntry(obj.kind, obj.name, fi, owners{})
	if o.json {
		return writeJSON(e.stdout, &en)
	}
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-14s"+format+"\n", append([]any{label + ":"}, args...)...)
	}
	line("path", "%s", obj)
	if !obj.reachable() {
		line("note", "the name is not UTF-8: io/fs (Stat, Open, ReadDir) cannot reach it; ipcfs commands take the quoted path above, the library its POSIX name (OpenShm, RemoveShm, ...)")
	}
	line("kind", "%s", obj.kind.Title)
	cli(obj.kind).describe(line, &en)
	line("mode", "%s (%s)", en.Mode, fi.Mode().Perm())
	if en.UID != nil {
		line("owner", "%s (uid %d, gid %d)", en.ownerText(), *en.UID, *en.GID)
	}
	line("modified", "%s", en.localTime(e.loc))
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// statObject returns the FileInfo of obj. The host lists and stats queues
// by path only when the mqueue file system is mounted at /dev/mqueue;
// without it, a queue is stat'ed through a handle instead (which needs read
// or write permission on it), as is an object whose name io/fs cannot
// carry.
func statObject(e *env, obj object) (fs.FileInfo, error) {
	if !obj.reachable() {
		return statByHandle(e, obj)
	}
	fi, err := e.ns.Stat(obj.nsPath())
	if !obj.kind.NeedsMount || !errors.Is(err, ipcfs.ErrMqueueNotMounted) {
		return fi, err
	}
	fi, qerr := statByHandle(e, obj)
	switch {
	case errors.Is(qerr, fs.ErrNotExist):
		return nil, qerr
	case qerr != nil:
		return nil, err
	}
	return fi, nil
}
