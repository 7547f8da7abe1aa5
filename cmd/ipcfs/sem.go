package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
		fl.Var(&o.timeout, "timeout", "how long to wait, a Go duration `D` (500ms, 2s; 0: do not wait; default: as long as it takes)")
		return o
	},
	run: runWait,
}

type waitOptions struct{ timeout timeoutFlag }

func runPost(e *env, _ any, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return usagef("want a semaphore path and an optional count")
	}
	count := int64(1)
	if len(args) == 2 {
		n, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || n < 1 {
			return usagef("count %q: must be a positive number (1 or more)", args[1])
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
	posted := e.track(obj.String(), newCounter(func(n int64) string {
		return fmt.Sprintf("releasing %d of %s", n, plural(count, "unit"))
	}))
	interrupt := e.ctx.Done()
	for i := range count {
		select {
		case <-interrupt:
			return pathErr(obj.String(), posted.interrupted())
		default:
		}
		if err := sem.Release(); err != nil {
			if i > 0 {
				err = &hintError{err, fmt.Sprintf("after releasing %d of %s", i, plural(count, "unit"))}
			}
			return pathErr(obj.String(), err)
		}
		posted.add(1)
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
	err = sem.Acquire(ctx)
	if errors.Is(err, context.Canceled) {
		err = &interruptedError{} // nothing taken
	}
	return pathErr(obj.String(), err)
}
