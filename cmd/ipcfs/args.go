package main

// This file parses the arguments commands share: object paths, and the
// values of --mode, --size and --timeout.

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// object is a parsed object path: its kind and its POSIX name without the
// slash.
type object struct {
	kind *kind.Kind
	name string
}

// String returns the path as the tool prints it and takes it back:
// "shm/x", or "shm/\"\\xff\"" when the name must be quoted (displayName).
func (o object) String() string { return o.kind.Dir + "/" + displayName(o.name) }

// nsPath returns the object's path in the namespace, for ns.Stat and
// ns.Remove; only a reachable object has one that io/fs accepts.
func (o object) nsPath() string { return o.kind.Dir + "/" + o.name }

// reachable reports whether io/fs can carry the object's name: whether it
// is UTF-8, as fs.ValidPath requires (every other rule of path elements is
// one of the name rules already). The others are reached by POSIX name.
func (o object) reachable() bool { return utf8.ValidString(o.name) }

// parseObject parses arg as KIND/NAME where KIND is one of kinds (all three
// when kinds is empty), with the parser every namespace uses, so the tool
// refuses exactly the paths ns.Remove and ns.Stat refuse ("shm//x" is
// fs.ErrInvalid, "shm/a/b" fs.ErrNotExist): such an error is about arg. A
// NAME in double quotes is a Go string literal, the form ls prints for
// names that need it (displayName), taken literally: it may hold any
// bytes the kind's name rules accept, UTF-8 or not. A path that is not
// KIND/NAME for one of kinds is a usage error.
func parseObject(arg string, kinds ...*kind.Kind) (object, error) {
	if len(kinds) == 0 {
		kinds = kind.All[:]
	}
	if k, quoted, ok := splitQuoted(arg); ok && slices.Contains(kinds, k) {
		return parseQuoted(arg, k, quoted)
	}
	l, err := kind.Parse("", arg)
	switch {
	case err == nil && !l.IsDir() && slices.Contains(kinds, l.Kind):
		return object{kind: l.Kind, name: l.Name}, nil
	case isDirArg(arg):
	case err != nil && (errors.Is(err, fs.ErrInvalid) || slices.Contains(kinds, l.Kind)):
		return object{}, pathErr(displayText(arg), err)
	}
	return object{}, usagef("%s: want %s", displayText(arg), wantPaths(kinds))
}

// wantPaths says which paths kinds allow: "mq/NAME", "one of shm/NAME, ...".
func wantPaths(kinds []*kind.Kind) string {
	dirs := make([]string, len(kinds))
	for i, k := range kinds {
		dirs[i] = k.Dir
	}
	want := strings.Join(dirs, "/NAME, ") + "/NAME"
	if len(kinds) > 1 {
		want = "one of " + want
	}
	return want
}

// splitQuoted splits arg into a kind and a quoted name ("shm" and
// `"a\x1b"`) when arg is KIND/"...".
func splitQuoted(arg string) (*kind.Kind, string, bool) {
	dir, rest, found := strings.Cut(arg, "/")
	if !found || !strings.HasPrefix(rest, `"`) {
		return nil, "", false
	}
	k, ok := kind.Lookup(dir)
	return k, rest, ok
}

// parseQuoted parses the quoted name of arg for kind k.
func parseQuoted(arg string, k *kind.Kind, quoted string) (object, error) {
	name, err := strconv.Unquote(quoted)
	if err != nil {
		return object{}, usagef("%s: a quoted name must be one Go string literal, as ls prints it", displayText(arg))
	}
	// A second slash is refused as the namespace refuses "shm//x".
	if strings.HasPrefix(name, "/") {
		_, err := kind.Parse("", k.Dir+"/"+name)
		return object{}, pathErr(displayText(arg), err)
	}
	if _, err := k.Clean(name); err != nil {
		return object{}, pathErr(displayText(arg), &fs.PathError{Op: "", Path: arg, Err: err})
	}
	return object{kind: k, name: name}, nil
}

// isDirArg reports whether arg names a kind's directory with a trailing
// slash ("shm/"): a directory where an object is wanted, a usage error.
func isDirArg(arg string) bool {
	d, ok := strings.CutSuffix(arg, "/")
	_, isKind := kind.Lookup(d)
	return ok && isKind
}

// modeFlag is a --mode value: octal permission bits, 0600 by default.
type modeFlag fs.FileMode

func (m *modeFlag) String() string { return fmt.Sprintf("%04o", uint32(*m)) }

func (m *modeFlag) Set(s string) error {
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 0o777 {
		return fmt.Errorf("mode %q: want octal permission bits, 0 to 0777", s)
	}
	*m = modeFlag(v)
	return nil
}

// sizeFlag is a byte count: a decimal number with an optional binary suffix
// k, m or g (4k = 4096).
type sizeFlag int64

func (z *sizeFlag) String() string { return strconv.FormatInt(int64(*z), 10) }

func (z *sizeFlag) Set(s string) error {
	v, err := parseSize(s)
	if err != nil {
		return err
	}
	*z = sizeFlag(v)
	return nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	num := s
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, num = 1<<10, s[:n-1]
		case 'm', 'M':
			mult, num = 1<<20, s[:n-1]
		case 'g', 'G':
			mult, num = 1<<30, s[:n-1]
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v < 0 || v > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q: want a non-negative number of bytes (suffix k, m or g allowed)", s)
	}
	return v * mult, nil
}

// timeoutFlag is a --timeout value: a Go duration (500ms, 2s). Unset means
// wait as long as it takes; 0 means do not wait at all.
type timeoutFlag struct {
	d   time.Duration
	set bool
}

func (t *timeoutFlag) String() string {
	if !t.set {
		return ""
	}
	return t.d.String()
}

func (t *timeoutFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("timeout %q: want a duration such as 500ms or 2s", s)
	}
	if d < 0 {
		return fmt.Errorf("timeout %q: must not be negative", s)
	}
	t.d, t.set = d, true
	return nil
}

// nonblocking reports whether the wait must not block at all (--timeout 0).
func (t *timeoutFlag) nonblocking() bool { return t.set && t.d == 0 }
