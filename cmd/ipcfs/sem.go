package main

import (
	"flag"
	"os"
	"strconv"

	"github.com/ipcfs/ipcfs/internal/kind"
)

var postCommand = &command{
	name:    "post",
	args:    "sem/NAME [N]",
	summary: "release a semaphore N times (sem_post; default once)",
	run:     runPost,
}

var waitCommand = &command{
	name:    "wait",
	args:    "[--timeout D] sem/NAME",
	summary: "acquire a semaphore, waiting while its value is 0 (sem_wait)",
	flags: func(fl *flag.FlagSet) any {
		o := new(waitOptions)
		fl.Var(&o.timeout, "timeout", "how long to wait, a Go `duration` (500ms, 2s; 0: do not wait; default: as long as it takes)")
		return o
	},
	run: runWait,
}

type waitOptions struct{ timeout timeoutFlag }

func runPost(e *env, _ any, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return usagef("want a semaphore path and an optional count")
	}
	count := 1
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return usagef("count %q: want a positive number", args[1])
		}
		count = n
	}
	obj, err := parseObject(args[0], kind.Sem)
	if err != nil {
		return err
	}
	sem, err := e.ns.OpenSem(obj.name, os.O_RDWR, 0, 0)
	if err != nil {
		return pathErr(obj.String(), err)
	}
	defer sem.Close()
	for range count {
		if err := sem.Release(); err != nil {
			return pathErr(obj.String(), err)
		}
	}
	return nil
}

func runWait(e *env, opts any, args []string) error {
	o := opts.(*waitOptions)
	if len(args) != 1 {
		return usagef("want exactly one semaphore path")
	}
	obj, err := parseObject(args[0], kind.Sem)
	if err != nil {
		return err
	}
	sem, err := e.ns.OpenSem(obj.name, os.O_RDWR, 0, 0)
	if err != nil {
		return pathErr(obj.String(), err)
	}
	defer sem.Close()
	if o.timeout.nonblocking() {
		return pathErr(obj.String(), sem.TryAcquire())
	}
	ctx, cancel := waitContext(e.ctx, &o.timeout)
	defer cancel()
	return pathErr(obj.String(), sem.Acquire(ctx))
}
