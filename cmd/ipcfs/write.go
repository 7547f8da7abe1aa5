package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/ipcfs/ipcfs/internal/kind"
)

var writeCommand = &command{
	name:    "write",
	args:    "[--truncate] shm/NAME",
	summary: "copy stdin into a segment from offset 0, growing it as needed",
	flags: func(fl *flag.FlagSet) any {
		o := new(writeOptions)
		fl.BoolVar(&o.truncate, "truncate", false, "shrink the segment to the length of the input")
		return o
	},
	run: runWrite,
}

type writeOptions struct{ truncate bool }

func runWrite(e *env, opts any, args []string) error {
	o := opts.(*writeOptions)
	if len(args) != 1 {
		return usagef("want exactly one segment path")
	}
	obj, err := parseObject(args[0], kind.Shm)
	if err != nil {
		return err
	}
	shm, err := e.ns.OpenShm(obj.name, os.O_RDWR, 0, 0)
	if err != nil {
		return pathErr(obj.String(), err)
	}
	// ReadFrom copies straight into the mapping, growing the segment. It is
	// what io.Copy(shm, stdin) means, called directly: io.Copy would prefer
	// an *os.File stdin's WriteTo, which hides ReadFrom behind a wrapper.
	n, err := shm.ReadFrom(newCtxReader(e.ctx, e.stdin))
	if err != nil && e.ctx.Err() != nil && errors.Is(err, e.ctx.Err()) {
		err = &interruptedError{done: fmt.Sprintf("writing %d bytes", n)}
	}
	if err == nil && o.truncate {
		err = shm.Truncate(n)
	}
	if cerr := shm.Close(); err == nil {
		err = cerr
	}
	return pathErr(obj.String(), err)
}
