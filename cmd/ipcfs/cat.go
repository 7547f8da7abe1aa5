package main

import (
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
	// WriteTo copies straight out of the mapping.
	if _, err := io.Copy(e.stdout, shm); err != nil {
		return pathErr(obj.String(), err)
	}
	return nil
}
