package main

// This file holds the command table and what every command shares: the
// environment a command runs in, the global flags, interspersed flag
// parsing, help, and the usage error type. A new command is one entry in
// commands plus its own file.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ipcfs/ipcfs"
)

// command is one subcommand of ipcfs.
type command struct {
	// name is the word that selects the command ("ls").
	name string
	// args is the synopsis after the name, for usage messages; one line
	// per form when the command has several. It names every flag the
	// command shows in its help, with the same value placeholder.
	args string
	// summary is a one-line description for "ipcfs help".
	summary string
	// help, if set, is more text for "ipcfs help NAME", after the summary.
	help string
	// flags defines the command's flags on fl and returns the options they
	// fill; run receives the same value back. nil means no flags. A flag
	// whose usage starts with "deprecated:" is accepted and not shown.
	flags func(fl *flag.FlagSet) any
	// run does the work with the parsed options and positional arguments.
	// It returns a *usageError for bad arguments, an *exitStatus when it
	// has reported everything itself; any other error is reported by run's
	// caller.
	run func(e *env, opts any, args []string) error
}

// commands is the table of subcommands, in the order "ipcfs help" lists
// them. To add a command, append an entry here and put its code in its own
// file.
var commands = []*command{
	lsCommand,
	statCommand,
	limitsCommand,
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
	// loc is the time zone of human output (time.Local unless a test says).
	loc *time.Location
	// host gives the facts limits reports (the real host unless a test says).
	host *hostFacts
	// failed is set by commands that report some errors themselves (rm,
	// ls) and go on; run then exits with status 1.
	failed bool
	// progress, set by a long command, is what main reports for it when it
	// does not stop by itself after an interrupt; path names its object.
	progress atomic.Pointer[progressReport]
	// ownSignals is set by a command that handles interrupts itself and
	// must be left to finish (demo cleans up after Ctrl-C).
	ownSignals atomic.Bool
}

// progressReport is a long command's counter and the object it works on.
type progressReport struct {
	path string
	c    *counter
}

func newEnv(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, ns ipcfs.Namespace) *env {
	return &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, ns: ns, loc: time.Local, host: realHost()}
}

// track registers c as the progress of the command working on path and
// returns it.
func (e *env) track(path string, c *counter) *counter {
	e.progress.Store(&progressReport{path: path, c: c})
	return c
}

// interruptMessage is what main prints when a command it interrupted did
// not stop by itself: how far it got, as the command would say.
func (e *env) interruptMessage() string {
	if p := e.progress.Load(); p != nil {
		return errorText(p.path, p.c.interrupted())
	}
	return "interrupted"
}

// warnf prints a one-line message, prefixed "ipcfs: ", on stderr, with
// every byte that is not printable escaped.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "ipcfs: %s\n", displayText(fmt.Sprintf(format, args...)))
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

// exitStatus is returned by a command that has printed everything itself
// and exits with code.
type exitStatus struct{ code int }

func (s *exitStatus) Error() string { return fmt.Sprintf("exit status %d", s.code) }

// run runs the command line args (without the program name) against ns and
// returns the exit status. It is main without the process: tests call it
// with buffers and any Namespace.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, ns ipcfs.Namespace) int {
	return newEnv(ctx, stdin, stdout, stderr, ns).run(args)
}

// run runs the command line args in e.
func (e *env) run(args []string) int {
	// Flags before the command: --version, --help, or any flag a command
	// takes ("ipcfs --json ls"), which goes to the command.
	var pre []string
	for len(args) > 0 && isFlagArg(args[0]) {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		switch flagName(a) {
		case "V", "version":
			fmt.Fprintln(e.stdout, versionLine())
			return exitOK
		case "h", "help":
			printUsage(e.stdout)
			return exitOK
		}
		pre = append(pre, a)
		if !strings.Contains(a, "=") && anyCommandFlagTakesValue(flagName(a)) && len(args) > 0 {
			pre = append(pre, args[0])
			args = args[1:]
		}
	}
	if len(args) == 0 {
		if len(pre) > 0 {
			fmt.Fprintf(e.stderr, "ipcfs: %s: a command must follow the flags\n", displayText(strings.Join(pre, " ")))
		}
		printUsage(e.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help":
		if len(rest) > 0 {
			c := lookupCommand(rest[0])
			if c == nil {
				fmt.Fprintf(e.stderr, "ipcfs: unknown command %q%s\n", rest[0], didYouMean(rest[0]))
				return exitUsage
			}
			printCommandUsage(e.stdout, c)
			return exitOK
		}
		printUsage(e.stdout)
		return exitOK
	case "version":
		fmt.Fprintln(e.stdout, versionLine())
		return exitOK
	}
	c := lookupCommand(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "ipcfs: unknown command %q%s (run 'ipcfs help')\n", name, didYouMean(name))
		return exitUsage
	}
	fl, opts := newFlagSet(c)
	pos, err := parseArgs(fl, append(pre, rest...))
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(e.stdout, c)
		return exitOK
	}
	if err == nil {
		err = c.run(e, opts, pos)
	}
	var u *usageError
	var s *exitStatus
	switch {
	case errors.As(err, &s):
		return s.code
	case errors.As(err, &u):
		fmt.Fprintf(e.stderr, "ipcfs %s: %s\n%s", c.name, displayText(u.msg), synopsis(c))
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

// commandWords are words people type for a command, for suggestions.
var commandWords = map[string]string{
	"list": "ls", "show": "stat", "info": "stat", "lsipc": "limits", "make": "mk", "create": "mk", "ipcmk": "mk",
	"remove": "rm", "delete": "rm", "ipcrm": "rm", "read": "cat", "receive": "recv", "release": "post",
	"acquire": "wait", "unlink": "rm",
}

// didYouMean returns `; did you mean "ls"?` for a mistyped command, or "".
func didYouMean(name string) string {
	names := []string{"help", "version"}
	for _, c := range commands {
		names = append(names, c.name)
	}
	for w := range commandWords {
		names = append(names, w)
	}
	slices.Sort(names) // a tie goes the same way every time
	if s := suggest(name, names); s != "" {
		if c, ok := commandWords[s]; ok {
			s = c
		}
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// isFlagArg reports whether a is a flag: it starts with a dash, and is
// neither "-" (stdin) nor a negative number ("post sem/x -1" is a bad
// count, not an unknown flag).
func isFlagArg(a string) bool {
	return len(a) > 1 && a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')
}

// flagName returns the name in a flag argument: "json" for "--json=true".
func flagName(a string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return name
}

// anyCommandFlagTakesValue reports whether some command has a flag called
// name that takes a value (so "ipcfs --timeout 1s recv ..." keeps "1s").
func anyCommandFlagTakesValue(name string) bool {
	for _, c := range commands {
		fl, _ := newFlagSet(c)
		if f := fl.Lookup(name); f != nil && !isBoolFlag(f) {
			return true
		}
	}
	return false
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
// positional. A lone "-" (stdin) and a negative number are positional. It
// returns the positional arguments in order, flag.ErrHelp for -h/--help,
// or a *usageError (an unknown flag names the one meant, if it can).
func parseArgs(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		if !isFlagArg(a) {
			pos = append(pos, a)
			args = args[1:]
			continue
		}
		name := flagName(a)
		if name == "h" || name == "help" {
			return nil, flag.ErrHelp
		}
		f := fl.Lookup(name)
		if f == nil {
			return nil, &usageError{msg: fmt.Sprintf("unknown flag %s%s", displayName(a), didYouMeanFlag(fl, name))}
		}
		// One flag, and its value when it takes one as the next argument.
		n := 1
		if !strings.Contains(a, "=") && !isBoolFlag(f) && len(args) > 1 {
			n = 2
		}
		if err := fl.Parse(args[:n]); err != nil {
			return nil, &usageError{msg: err.Error()}
		}
		args = args[n:]
	}
	return pos, nil
}

// didYouMeanFlag returns ` (did you mean --json?)` for a mistyped flag.
func didYouMeanFlag(fl *flag.FlagSet, name string) string {
	var names []string
	fl.VisitAll(func(f *flag.Flag) {
		if !isDeprecated(f) {
			names = append(names, f.Name)
		}
	})
	if s := suggest(name, names); s != "" {
		return fmt.Sprintf("; did you mean %s?", dashed(s))
	}
	return ""
}

// dashed returns a flag name as help writes it: "-l" for one letter,
// "--json" otherwise.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func isDeprecated(f *flag.Flag) bool { return strings.HasPrefix(f.Usage, "deprecated:") }

// printUsage writes the usage of every command to w.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: ipcfs [--version] [--help] COMMAND [ARGS]\n\n")
	fmt.Fprintf(w, "POSIX IPC objects as files: shm/NAME (shared memory), mq/NAME (message\n")
	fmt.Fprintf(w, "queues), sem/NAME (named semaphores).\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'ipcfs help COMMAND' for a command's flags. A command's flags may also\n")
	fmt.Fprintf(w, "come before it: ipcfs --json ls. -V or --version prints the version.\n")
	fmt.Fprintf(w, "Names with bytes that are not printable, pattern characters (*?[\\) or a\n")
	fmt.Fprintf(w, "leading double quote are shown, and taken, as Go strings: shm/\"a\\x1b\".\n")
	fmt.Fprintf(w, "Exit status: 0 success, 1 error, 2 usage, 3 timed out or would block,\n")
	fmt.Fprintf(w, "130 interrupted (Ctrl-C or SIGTERM).\n")
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

// printCommandUsage writes c's synopsis, description and flags to w.
func printCommandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n%s\n", synopsis(c), c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
	}
	fl, _ := newFlagSet(c)
	printFlags(w, fl)
}

// printFlags writes the flags of fl as help shows them: "--name VALUE",
// or "-l" for one-letter flags, each with its usage and its default.
func printFlags(w io.Writer, fl *flag.FlagSet) {
	first := true
	fl.VisitAll(func(f *flag.Flag) {
		if isDeprecated(f) {
			return
		}
		if first {
			fmt.Fprintf(w, "\nflags:\n")
			first = false
		}
		value, usage := flag.UnquoteUsage(f)
		line := "  " + dashed(f.Name)
		if !isBoolFlag(f) {
			line += " " + value
		}
		switch f.DefValue {
		case "", "0", "false":
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, usage)
	})
}

// versionLine is what --version prints: the version and how it was built,
// for bug reports.
func versionLine() string {
	return fmt.Sprintf("ipcfs %s (%s %s/%s)", ipcfs.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
