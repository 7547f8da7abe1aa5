package ipcfs

import (
	"errors"
	"io/fs"
	"testing"
)

// TestFSErrorsNameTheCallersPath checks that namespace errors carry the
// verb the caller used and the path exactly as the caller gave it, also
// through Sub (where paths are relative to the sub-tree, as fs.Sub makes
// them, even for names that start like the directory).
func TestFSErrorsNameTheCallersPath(t *testing.T) {
	ns := New()
	missing := uniqueName(t)[1:]
	sub, err := ns.Sub("shm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		call, op, path string
		err            error
	}{
		{"Open(shm/missing)", "open", "shm/" + missing, func() error { _, err := ns.Open("shm/" + missing); return err }()},
		{"Open(mq/missing)", "open", "mq/" + missing, func() error { _, err := ns.Open("mq/" + missing); return err }()},
		{"Open(sem/missing)", "open", "sem/" + missing, func() error { _, err := ns.Open("sem/" + missing); return err }()},
		{"Sub(shm/missing)", "sub", "shm/" + missing, func() error { _, err := ns.Sub("shm/" + missing); return err }()},
		{"Sub(shm).Open(missing)", "open", missing, func() error { _, err := sub.Open(missing); return err }()},
		{"Sub(shm).Open(shm-missing)", "open", "shm" + missing, func() error { _, err := sub.Open("shm" + missing); return err }()},
		{"Sub(shm).Stat(shm-missing)", "stat", "shm" + missing, func() error { _, err := fs.Stat(sub, "shm"+missing); return err }()},
	} {
		var pe *fs.PathError
		if !errors.As(c.err, &pe) || pe.Op != c.op || pe.Path != c.path || !errors.Is(c.err, fs.ErrNotExist) {
			t.Errorf("%s = %#v; want *fs.PathError{Op: %q, Path: %q} matching fs.ErrNotExist", c.call, c.err, c.op, c.path)
		}
	}
}
