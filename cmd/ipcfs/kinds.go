package main

// This file holds the command line's column of the kind table (package
// internal/kind holds the rest: directories, names, flags): what mk
// creates and what ls and stat print, for each kind.

import (
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

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
	// differs returns how the existing object en differs from what the mk
	// flags set ask for ("size 8192 bytes, not 4096"), or "" (mk --exist-ok).
	differs func(o *mkOptions, set map[string]bool, en *entry) string
	// removeName removes the object name through n, by POSIX name.
	removeName func(n posixNamer, name string) error
	// contents is the CONTENTS column of ls -l: size (exact bytes when
	// exact, else human-readable), messages or value.
	contents func(en *entry, exact bool) string
	// describe writes the kind's lines of stat's output.
	describe func(line func(label, format string, args ...any), en *entry)
}

var cliKinds = [kind.Count]cliKind{
	kind.ShmID: {
		mkFlags: []string{"size"},
		mk: func(e *env, o *mkOptions, set map[string]bool, obj object, flag int, perm fs.FileMode) (io.Closer, error) {
			return e.ns.OpenShm(obj.name, flag, perm, int64(o.size))
		},
		differs: func(o *mkOptions, set map[string]bool, en *entry) string {
			if set["size"] && en.Size != int64(o.size) {
				return fmt.Sprintf("size %d bytes, not %d", en.Size, o.size)
			}
			return ""
		},
		removeName: posixNamer.RemoveShm,
		contents: func(en *entry, exact bool) string {
			if exact {
				return strconv.FormatInt(en.Size, 10)
			}
			return humanSize(en.Size)
		},
		describe: func(line func(label, format string, args ...any), en *entry) {
			if en.Size >= 1024 {
				line("size", "%s (%s)", plural(en.Size, "byte"), humanSize(en.Size))
			} else {
				line("size", "%s", plural(en.Size, "byte"))
			}
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
		differs: func(o *mkOptions, set map[string]bool, en *entry) string {
			if !set["max-messages"] && !set["message-size"] {
				return ""
			}
			if en.MaxMessages == nil {
				return "attributes that cannot be read to check them (no permission to open the queue)"
			}
			var diffs []string
			if set["max-messages"] && *en.MaxMessages != o.maxMessages {
				diffs = append(diffs, fmt.Sprintf("max messages %d, not %d", *en.MaxMessages, o.maxMessages))
			}
			if set["message-size"] && *en.MessageSize != int64(o.messageSize) {
				diffs = append(diffs, fmt.Sprintf("message size %d bytes, not %d", *en.MessageSize, o.messageSize))
			}
			return strings.Join(diffs, ", ")
		},
		removeName: posixNamer.RemoveMq,
		contents: func(en *entry, _ bool) string {
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
		// A semaphore's value changes with use: --value is not checked.
		differs:    func(*mkOptions, map[string]bool, *entry) string { return "" },
		removeName: posixNamer.RemoveSem,
		contents: func(en *entry, _ bool) string {
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
