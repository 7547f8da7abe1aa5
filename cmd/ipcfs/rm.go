package main

import (
	"errors"
	"flag"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ipcfs/ipcfs/internal/kind"
)

var rmCommand = &command{
	name:    "rm",
	args:    "KIND/NAME|KIND/PATTERN...\n--all KIND...",
	summary: "remove objects, named, matching a pattern, or all of a kind; open handles keep working",
	help: `
A NAME with a pattern character (*, ?, [ or \, as in path.Match) is a
pattern over the kind's names: rm 'shm/job-*' removes every segment whose
name starts with job-. --all KIND removes every object of each kind named,
as ipcrm -a does. Neither asks; both print each object removed. A quoted
name (shm/"a*b", as ls prints names that need it) is taken literally.
Objects that fail to go are reported, and the others still removed.`,
	flags: func(fl *flag.FlagSet) any {
		o := new(rmOptions)
		fl.BoolVar(&o.all, "all", false, "remove every object of the kinds named (shm, mq, sem)")
		return o
	},
	run: runRm,
}

type rmOptions struct{ all bool }

// rmTarget is one argument of rm: an object, or every object of a kind
// whose name matches pattern (all: every one).
type rmTarget struct {
	arg     string
	obj     object     // a named object, when kind is nil
	kind    *kind.Kind // a pattern or --all over this kind
	pattern string
}

// runRm removes every object named or matched, reporting each failure and
// going on; the exit status is 1 if any failed.
func runRm(e *env, opts any, args []string) error {
	o := opts.(*rmOptions)
	if len(args) == 0 {
		if o.all {
			return usagef("--all wants the kinds to empty: shm, mq or sem")
		}
		return usagef("want at least one object path")
	}
	targets := make([]rmTarget, len(args))
	for i, arg := range args {
		t, err := parseRmTarget(arg, o.all)
		if err != nil {
			return err
		}
		targets[i] = t
	}
	done := e.track("rm", newCounter(func(n int64) string { return "removing " + plural(n, "object") }))
	for _, t := range targets {
		if t.kind == nil {
			if err := e.ctx.Err(); err != nil {
				return done.interrupted()
			}
			if err := removeObject(e.ns, t.obj); err != nil {
				e.report(t.obj.String(), err)
			} else {
				done.add(1)
			}
			continue
		}
		objs, err := matching(e, t.kind, t.pattern)
		if err != nil {
			e.report(t.arg, err)
			continue
		}
		if len(objs) == 0 && t.pattern != "*" {
			e.report(t.arg, errors.New("no object matches"))
		}
		for _, obj := range objs {
			if err := e.ctx.Err(); err != nil {
				return done.interrupted()
			}
			if err := removeObject(e.ns, obj); err != nil {
				e.report(obj.String(), err)
				continue
			}
			done.add(1)
			if _, err := fmt.Fprintf(e.stdout, "removed %s\n", obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseRmTarget parses one argument of rm (of rm --all when all).
func parseRmTarget(arg string, all bool) (rmTarget, error) {
	if all {
		k, ok := kind.Lookup(strings.TrimSuffix(arg, "/"))
		if !ok {
			return rmTarget{}, usagef("%s: --all wants a kind: shm, mq or sem", displayText(arg))
		}
		return rmTarget{arg: arg, kind: k, pattern: "*"}, nil
	}
	dir, name, found := strings.Cut(arg, "/")
	if k, ok := kind.Lookup(dir); ok && found && !strings.HasPrefix(name, `"`) && strings.ContainsAny(name, globMeta) {
		if _, err := path.Match(name, ""); err != nil || strings.Contains(name, "/") {
			return rmTarget{}, usagef("%s: bad pattern (see path.Match)", displayText(arg))
		}
		return rmTarget{arg: arg, kind: k, pattern: name}, nil
	}
	obj, err := parseObject(arg)
	return rmTarget{arg: arg, obj: obj}, err
}

// matching returns the objects of kind k whose names match pattern, in
// name order: those ReadDir lists and those io/fs cannot reach.
func matching(e *env, k *kind.Kind, pattern string) ([]object, error) {
	des, err := e.ns.ReadDir(k.Dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(des))
	for _, de := range des {
		if utf8.ValidString(de.Name()) {
			names = append(names, de.Name())
		}
	}
	more, err := unreachableNames(e.ns, k)
	if err != nil {
		return nil, err
	}
	all := append(names, more...)
	slices.Sort(all)
	var objs []object
	for _, name := range all {
		if ok, _ := path.Match(pattern, name); ok {
			objs = append(objs, object{kind: k, name: name})
		}
	}
	return objs, nil
}
