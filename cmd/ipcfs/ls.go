package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

var lsCommand = &command{
	name:    "ls",
	args:    "[-l] [--json] [shm|mq|sem|KIND/NAME]...",
	summary: "list objects of every kind, or of the kinds or objects named",
	flags: func(fl *flag.FlagSet) any {
		o := new(lsOptions)
		fl.BoolVar(&o.long, "l", false, "long listing: kind, name, contents, mode, owner, modification time")
		fl.BoolVar(&o.json, "json", false, "print a JSON array of objects (see 'go doc ./cmd/ipcfs')")
		return o
	},
	run: runLs,
}

type lsOptions struct {
	long, json bool
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", en.Kind, en.Name, en.contents(), en.Mode, en.ownerText(), en.localTime())
		}
		return tw.Flush()
	}
	for _, en := range list {
		if _, err := fmt.Fprintln(e.stdout, en.Path); err != nil {
			return err
		}
	}
	return nil
}

// listKind returns the entries of one kind's directory, sorted by name.
// Objects that vanish while listing are left out.
func listKind(e *env, k *kind.Kind, own owners) ([]entry, error) {
	des, err := e.ns.ReadDir(k.Dir)
	if err != nil {
		return nil, err
	}
	list := make([]entry, 0, len(des))
	for _, de := range des {
		fi, err := de.Info()
		if err != nil {
			continue
		}
		list = append(list, newEntry(k, de.Name(), fi, own))
	}
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
