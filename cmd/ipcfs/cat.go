package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ipcfs/ipcfs/internal/kind"
)

var catCommand = &command{
	name:    "cat",
	args:    "shm/NAME",
	summary: "copy a shared memory segment's bytes to stdout",
	run:     runCat,
}

func runCat(e *env, _ any, args []string) error {
	if len(args) != 1 {
		return usagef("want exactly one segment path")
	}
	obj, err := parseObject(args[0], kind.Shm)
	if err != nil {
		return err
	}
	shm, err := e.ns.OpenShm(obj.name, os.O_RDONLY, 0, 0)
	if err != nil {
		return pathErr(obj.String(), err)
	}
	defer shm.Close()
	size, err := shm.Size()
	if err != nil {
		return pathErr(obj.String(), err)
	}
	copied := e.track(obj.String(), newCounter(func(n int64) string {
		return fmt.Sprintf("copying %d of %d bytes", n, size)
	}))
	// WriteTo copies straight out of the mapping, in pieces that stop with
	// Ctrl-C.
	if _, err := io.Copy(&ctxWriter{ctx: e.ctx, w: e.stdout, n: copied}, shm); err != nil {
		if e.ctx.Err() != nil && errors.Is(err, e.ctx.Err()) {
			return pathErr(obj.String(), copied.interrupted())
		}
		return pathErr(obj.String(), err)
	}
	return nil
}
