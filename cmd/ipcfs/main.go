package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ipcfs/ipcfs"
)

// Exit statuses.
const (
	exitOK       = 0 // success
	exitError    = 1 // the command failed
	exitUsage    = 2 // bad command line
	exitTimedOut = 3 // a wait timed out, or would have blocked with --timeout 0
)

func main() {
	// Ctrl-C and SIGTERM cancel the context, which ends blocking waits
	// (send, recv, wait) promptly with nothing lost.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills the process the
		// default way, in case something does not stop promptly.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, ipcfs.New())
	stop()
	os.Exit(code)
}

// run runs the command line args (without the program name) against ns and
// returns the exit status. It is main without the process: tests call it
// with buffers and any Namespace.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, ns ipcfs.Namespace) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			c := lookupCommand(rest[0])
			if c == nil {
				fmt.Fprintf(stderr, "ipcfs: unknown command %q\n", rest[0])
				return exitUsage
			}
			printCommandUsage(stdout, c)
			return exitOK
		}
		printUsage(stdout)
		return exitOK
	}
	c := lookupCommand(name)
	if c == nil {
		fmt.Fprintf(stderr, "ipcfs: unknown command %q (run 'ipcfs help')\n", name)
		return exitUsage
	}
	if c.exec != nil {
		return c.exec(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, ns: ns}, rest)
	}
	fl, opts := newFlagSet(c)
	pos, err := parseArgs(fl, rest)
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(stdout, c)
		return exitOK
	}
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, ns: ns}
	if err == nil {
		err = c.run(e, opts, pos)
	}
	var u *usageError
	switch {
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "ipcfs %s: %s\n%s", c.name, u.msg, synopsis(c))
		return exitUsage
	case err != nil:
		var pe *cliError
		if errors.As(err, &pe) {
			e.warnf("%s", errorText(pe.path, pe.err))
		} else {
			e.warnf("%v", err)
		}
		return exitCode(err)
	case e.failed:
		return exitError
	}
	return exitOK
}
