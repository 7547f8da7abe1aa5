package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
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
	line("path", "%s", en.Path)
	line("kind", "%s", obj.kind.Title)
	cli(obj.kind).describe(line, &en)
	line("mode", "%s (%s)", en.Mode, fi.Mode().Perm())
	if en.UID != nil {
		line("owner", "%s (uid %d, gid %d)", en.Owner, *en.UID, *en.GID)
	}
	line("modified", "%s", en.localTime())
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// statObject returns the FileInfo of obj. The host lists and stats queues
// by path only when the mqueue file system is mounted at /dev/mqueue;
// without it, a queue is stat'ed through a handle instead (which needs read
// or write permission on it).
func statObject(e *env, obj object) (fs.FileInfo, error) {
	fi, err := e.ns.Stat(obj.String())
	if !obj.kind.NeedsMount || !errors.Is(err, ipcfs.ErrMqueueNotMounted) {
		return fi, err
	}
	q, qerr := e.ns.OpenMq(obj.name, os.O_RDONLY, 0, nil)
	if errors.Is(qerr, fs.ErrPermission) {
		q, qerr = e.ns.OpenMq(obj.name, os.O_WRONLY, 0, nil)
	}
	switch {
	case errors.Is(qerr, fs.ErrNotExist):
		return nil, qerr
	case qerr != nil:
		return nil, err
	}
	defer q.Close()
	return q.Stat()
}
