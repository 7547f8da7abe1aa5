package main

// This file parses the arguments commands share: object paths, and the
// values of --mode, --size and --timeout.

import (
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ipcfs/ipcfs"
)

// object is a parsed object path: kind "shm", "mq" or "sem", and the POSIX
// name without its slash.
type object struct {
	kind string
	name string
}

// String returns the path the user would type: "shm/x".
func (o object) String() string { return o.kind + "/" + o.name }

// parseObject parses arg as KIND/NAME where KIND is one of kinds (all three
// when kinds is empty). A path of the wrong shape or kind is a usage error;
// a name that breaks the POSIX rules is an fs.ErrInvalid error about arg.
func parseObject(arg string, kinds ...string) (object, error) {
	if len(kinds) == 0 {
		kinds = []string{"shm", "mq", "sem"}
	}
	want := strings.Join(kinds, "/NAME, ") + "/NAME"
	kind, name, ok := strings.Cut(arg, "/")
	if !ok || name == "" || !contains(kinds, kind) {
		if len(kinds) > 1 {
			want = "one of " + want
		}
		return object{}, usagef("%q: want %s", arg, want)
	}
	clean, err := ipcfs.CleanName(kind, name)
	if err != nil {
		return object{}, pathErr(arg, err)
	}
	return object{kind: kind, name: clean}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
