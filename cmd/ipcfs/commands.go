package main

// This file holds the command table and what every command shares: the
// environment a command runs in, interspersed flag parsing, and the usage
// error type. A new command is one entry in commands plus its own file.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ipcfs/ipcfs"
)

// command is one subcommand of ipcfs.
type command struct {
	// name is the word that selects the command ("ls").
	name string
	// args is the synopsis after the name, for usage messages; one line
	// per form when the command has several.
	args string
	// summary is a one-line description for "ipcfs help".
	summary string
	// flags defines the command's flags on fl and returns the options they
	// fill; run receives the same value back. nil means no flags.
	flags func(fl *flag.FlagSet) any
	// run does the work with the parsed options and positional arguments.
	// It returns a *usageError for bad arguments; any other error is
	// reported by the command itself or by run's caller.
	run func(e *env, opts any, args []string) error
	// exec, when set, replaces flags and run: the command gets its
	// arguments unparsed and returns its own exit status.
	exec func(e *env, args []string) int
}

// commands is the table of subcommands, in the order "ipcfs help" lists
// them. To add a command, append an entry here and put its code in its own
// file.
var commands = []*command{
	lsCommand,
	statCommand,
	mkCommand,
	rmCommand,
	catCommand,
	writeCommand,
	sendCommand,
	recvCommand,
	postCommand,
	waitCommand,
	demoCommand,
}

// demoCommand is posix_ipc's demo (demo.go); it parses its own flags and
// exits 130 when interrupted.
var demoCommand = &command{
	name:    "demo",
	args:    "[--iterations N] [--transport shm|mq|all] [--json]",
	summary: "run posix_ipc's Premise/Conclusion conversation with a copy of itself",
	exec: func(e *env, args []string) int {
		return runDemo(e.ctx, args, e.stdout, e.stderr)
	},
}

// lookupCommand returns the command called name, or nil.
func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// env is what a running command works with.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	ns     ipcfs.Namespace
	// failed is set by commands that report some errors themselves (rm,
	// ls) and go on; run then exits with status 1.
	failed bool
}

// warnf prints a one-line message, prefixed "ipcfs: ", on stderr.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "ipcfs: "+format+"\n", args...)
}

// report prints err for path on stderr and remembers the failure.
func (e *env) report(path string, err error) {
	e.warnf("%s", errorText(path, err))
	e.failed = true
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// newFlagSet returns a silent flag set for c: parse errors come back as
// values, never printed by the flag package.
func newFlagSet(c *command) (*flag.FlagSet, any) {
	fl := flag.NewFlagSet("ipcfs "+c.name, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.Usage = func() {}
	var opts any
	if c.flags != nil {
		opts = c.flags(fl)
	}
	return fl, opts
}

// parseArgs parses args with fl, allowing flags before, between and after
// positional arguments. "--" ends the flags: everything after it is
// positional. A lone "-" is positional (stdin). It returns the positional
// arguments in order, flag.ErrHelp for -h/--help, or a *usageError.
func parseArgs(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			args = args[1:]
			continue
		}
		// One flag, and its value when it takes one as the next argument.
		n := 1
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") {
			if f := fl.Lookup(name); f != nil && !isBoolFlag(f) && len(args) > 1 {
				n = 2
			}
		}
		if err := fl.Parse(args[:n]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		args = args[n:]
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// printUsage writes the usage of every command to w.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: ipcfs COMMAND [ARGS]\n\n")
	fmt.Fprintf(w, "POSIX IPC objects as files: shm/NAME (shared memory), mq/NAME (message\n")
	fmt.Fprintf(w, "queues), sem/NAME (named semaphores).\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'ipcfs help COMMAND' for a command's flags.\n")
	fmt.Fprintf(w, "Exit status: 0 success, 1 error, 2 usage, 3 timed out or would block.\n")
}

// synopsis returns c's usage lines: "usage: ipcfs NAME ARGS", one per form.
func synopsis(c *command) string {
	var b strings.Builder
	for i, form := range strings.Split(c.args, "\n") {
		prefix := "usage:"
		if i > 0 {
			prefix = "      "
		}
		fmt.Fprintf(&b, "%s ipcfs %s %s\n", prefix, c.name, form)
	}
	return b.String()
}

// printCommandUsage writes c's synopsis and flags to w.
func printCommandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n%s\n", synopsis(c), c.summary)
	fl, _ := newFlagSet(c)
	hasFlags := false
	fl.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nflags:\n")
		fl.SetOutput(w)
		fl.PrintDefaults()
	}
}
