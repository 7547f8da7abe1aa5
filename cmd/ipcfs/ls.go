package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

var lsCommand = &command{
	name:    "ls",
	args:    "[-l] [-b|--bytes] [--json] [shm|mq|sem|KIND/NAME]...",
	summary: "list objects of every kind, or of the kinds or objects named",
	help: `
Names that are not UTF-8 cannot be reached through io/fs (a namespace's
ReadDir leaves them out): ls lists them too, quoted, and says so on stderr;
the commands take them in that quoted form, and JSON carries the exact bytes
in name_base64.`,
	flags: func(fl *flag.FlagSet) any {
		o := new(lsOptions)
		fl.BoolVar(&o.long, "l", false, "long listing: kind, name, contents (sizes human-readable), mode, owner, modification time with its zone")
		fl.BoolVar(&o.bytes, "b", false, "with -l: sizes in exact bytes (same as --bytes)")
		fl.BoolVar(&o.bytes, "bytes", false, "with -l: sizes in exact bytes")
		fl.BoolVar(&o.json, "json", false, "print a JSON array of objects (see 'go doc ./cmd/ipcfs')")
		return o
	},
	run: runLs,
}

type lsOptions struct {
	long, bytes, json bool
}

func runLs(e *env, opts any, args []string) error {
	o := opts.(*lsOptions)
	all := len(args) == 0
	if all {
		for _, k := range kind.All {
			args = append(args, k.Dir)
		}
	}
	own := owners{}
	var list []entry
	for _, arg := range args {
		if k, ok := kind.Lookup(strings.TrimSuffix(arg, "/")); ok {
			found, err := listKind(e, k, own)
			if err != nil {
				if all && errors.Is(err, ipcfs.ErrMqueueNotMounted) {
					// The other kinds are still worth listing.
					e.warnf("warning: %s not listed: %s", k.Dir, cause(err))
				} else {
					e.report(k.Dir, err)
				}
			}
			list = append(list, found...)
			continue
		}
		obj, err := parseObject(arg)
		if err != nil {
			return err
		}
		fi, err := statObject(e, obj)
		if err != nil {
			e.report(obj.String(), err)
			continue
		}
		list = append(list, newEntry(obj.kind, obj.name, fi, own))
	}
	if !o.json {
		noteUnreachable(e, list)
	}
	switch {
	case o.json:
		return printJSONList(e, list)
	case o.long:
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		if len(list) > 0 {
			fmt.Fprintln(tw, "KIND\tNAME\tCONTENTS\tMODE\tOWNER\tMODIFIED")
		}
		for i := range list {
			en := &list[i]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", en.Kind, displayName(en.obj.name), en.contents(o.bytes), en.Mode, en.ownerText(), en.localTime(e.loc))
		}
		return tw.Flush()
	}
	for _, en := range list {
		if _, err := fmt.Fprintln(e.stdout, en.obj); err != nil {
			return err
		}
	}
	return nil
}

// noteUnreachable says on stderr which listed objects io/fs cannot reach.
func noteUnreachable(e *env, list []entry) {
	var paths []string
	for _, en := range list {
		if !en.obj.reachable() {
			paths = append(paths, en.obj.String())
		}
	}
	if len(paths) > 0 {
		e.warnf("note: not UTF-8, so not reachable through io/fs (ReadDir, Open); ipcfs commands take the quoted form: %s", strings.Join(paths, " "))
	}
}

// listKind returns the entries of one kind's directory, sorted by name:
// what ReadDir lists, and the objects whose names io/fs cannot carry,
// stat'ed through a handle (a warning names any that cannot be opened).
// Objects that vanish while listing are left out.
func listKind(e *env, k *kind.Kind, own owners) ([]entry, error) {
	des, err := e.ns.ReadDir(k.Dir)
	if err != nil {
		return nil, err
	}
	list := make([]entry, 0, len(des))
	for _, de := range des {
		fi, err := de.Info()
		if err != nil || !utf8.ValidString(de.Name()) {
			continue // gone; or listed again below, by its exact name
		}
		list = append(list, newEntry(k, de.Name(), fi, own))
	}
	names, err := unreachableNames(e.ns, k)
	if err != nil {
		e.warnf("warning: %s: names that are not UTF-8 not listed: %s", k.Dir, cause(err))
	}
	for _, name := range names {
		obj := object{kind: k, name: name}
		fi, err := statByHandle(e, obj)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				e.warnf("warning: %s not listed: %s", obj, cause(err))
			}
			continue
		}
		list = append(list, newEntry(k, name, fi, own))
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.obj.name, b.obj.name) })
	return list, nil
}

// printJSONList writes list as a JSON array with one object per line.
func printJSONList(e *env, list []entry) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range list {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if err := writeJSON(&b, &list[i]); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	if len(list) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := e.stdout.Write(b.Bytes())
	return err
}
