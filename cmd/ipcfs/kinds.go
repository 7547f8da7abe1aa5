package main

// This file holds the command line's column of the kind table (package
// internal/kind holds the rest: directories, names, flags): what mk
// creates and what ls and stat print, for each kind.

import (
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// cliKind is what the commands do differently for one kind.
type cliKind struct {
	// mkFlags are the mk flags that apply to this kind only.
	mkFlags []string
	// mk creates or opens the object obj with open flag and perm, as the
	// mk flags in o (set: the flags given) ask.
	mk func(e *env, o *mkOptions, set map[string]bool, obj object, flag int, perm fs.FileMode) (io.Closer, error)
	// contents is the CONTENTS column of ls -l: size, messages or value.
	contents func(en *entry) string
	// describe writes the kind's lines of stat's output.
	describe func(line func(label, format string, args ...any), en *entry)
}

var cliKinds = [kind.Count]cliKind{
	kind.ShmID: {
		mkFlags: []string{"size"},
		mk: func(e *env, o *mkOptions, set map[string]bool, obj object, flag int, perm fs.FileMode) (io.Closer, error) {
			if !set["size"] {
				return nil, usagef("mk shm/NAME needs --size")
			}
			return e.ns.OpenShm(obj.name, flag, perm, int64(o.size))
		},
		contents: func(en *entry) string { return strconv.FormatInt(en.Size, 10) },
		describe: func(line func(label, format string, args ...any), en *entry) {
			line("size", "%d bytes", en.Size)
		},
	},
	kind.MqID: {
		mkFlags: []string{"max-messages", "message-size"},
		mk: func(e *env, o *mkOptions, set map[string]bool, obj object, flag int, perm fs.FileMode) (io.Closer, error) {
			attr, err := mqAttr(o, set)
			if err != nil {
				return nil, err
			}
			return e.ns.OpenMq(obj.name, flag, perm, attr)
		},
		contents: func(en *entry) string {
			if en.Messages == nil {
				return "? msgs"
			}
			return fmt.Sprintf("%d/%d msgs", *en.Messages, *en.MaxMessages)
		},
		describe: func(line func(label, format string, args ...any), en *entry) {
			if en.Messages != nil {
				line("messages", "%d", *en.Messages)
				line("max messages", "%d", *en.MaxMessages)
				line("message size", "%d bytes (maximum)", *en.MessageSize)
			} else {
				line("messages", "unknown (no permission to open the queue)")
			}
			line("size", "%d bytes queued", en.Size)
		},
	},
	kind.SemID: {
		mkFlags: []string{"value"},
		mk: func(e *env, o *mkOptions, _ map[string]bool, obj object, flag int, perm fs.FileMode) (io.Closer, error) {
			if o.value > ipcfs.SemValueMax {
				return nil, usagef("--value %d is above the maximum, %d", o.value, ipcfs.SemValueMax)
			}
			return e.ns.OpenSem(obj.name, flag, perm, uint32(o.value))
		},
		contents: func(en *entry) string {
			if en.Value == nil {
				return "value ?"
			}
			return "value " + strconv.Itoa(*en.Value)
		},
		describe: func(line func(label, format string, args ...any), en *entry) {
			if en.Value != nil {
				line("value", "%d", *en.Value)
			} else {
				line("value", "unknown")
			}
		},
	},
}

// cli returns the command line's operations on kind k.
func cli(k *kind.Kind) *cliKind { return &cliKinds[k.ID] }
