//go:build linux

package ipcfs

// Symlinks planted in /dev/shm under an object's name must never be
// followed: /dev/shm is world-writable, so anyone can plant one before we
// open, create, chmod or chown a name (and fs.protected_symlinks may be 0).

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// relCanary is a regular file outside the IPC directories that a test
// points symlinks or traversal names at; check reports any change to it.
type relCanary struct {
	path    string
	content []byte
	st      syscall.Stat_t
}

func relNewCanary(t *testing.T, content string) *relCanary {
	t.Helper()
	p := filepath.Join(t.TempDir(), "canary")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	c := &relCanary{path: p, content: []byte(content)}
	if err := syscall.Stat(p, &c.st); err != nil {
		t.Fatal(err)
	}
	return c
}

// check fails t if the canary's content, mode, owner, size or times changed.
func (c *relCanary) check(t *testing.T, what string) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(c.path, &st); err != nil {
		t.Fatalf("%s: canary %s: %v", what, c.path, err)
	}
	got, err := os.ReadFile(c.path)
	if err != nil {
		t.Fatalf("%s: canary %s: %v", what, c.path, err)
	}
	if string(got) != string(c.content) || st.Mode != c.st.Mode || st.Uid != c.st.Uid || st.Gid != c.st.Gid ||
		st.Size != c.st.Size || st.Mtim != c.st.Mtim {
		t.Fatalf("%s: canary %s changed: mode %o->%o uid %d->%d gid %d->%d size %d->%d mtime %v->%v content %q->%q",
			what, c.path, c.st.Mode, st.Mode, c.st.Uid, st.Uid, c.st.Gid, st.Gid, c.st.Size, st.Size,
			c.st.Mtim, st.Mtim, c.content, got)
	}
}

// relPlantSymlink creates a symlink at the host path of dir/name pointing to
// target and removes it when the test ends. It returns the host path.
func relPlantSymlink(t *testing.T, dir, name, target string) string {
	t.Helper()
	n, err := CleanName(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	host := relKind(dir).HostPath(n)
	if err := os.Symlink(target, host); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(host) })
	return host
}

// relCheckStillSymlink fails t unless host is still a symlink to target.
func relCheckStillSymlink(t *testing.T, host, target string) {
	t.Helper()
	got, err := os.Readlink(host)
	if err != nil || got != target {
		t.Fatalf("planted symlink %s: readlink = %q, %v; want %q", host, got, err, target)
	}
}

func TestSecurityNamespaceMetadataCallsDoNotFollowSymlinks(t *testing.T) {
	ns := New()
	atime := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := []struct {
		op string
		do func(p string) error
	}{
		{"chmod", func(p string) error { return ns.Chmod(p, 0o777) }},
		{"chown", func(p string) error { return ns.Chown(p, 65534, 65534) }},
		{"chtimes", func(p string) error { return ns.Chtimes(p, atime, atime) }},
	}
	for _, dir := range []string{"shm", "sem"} {
		for _, c := range calls {
			t.Run(dir+"/"+c.op, func(t *testing.T) {
				canary := relNewCanary(t, "secret")
				name := uniqueName(t)
				host := relPlantSymlink(t, dir, name, canary.path)
				p := dir + "/" + name[1:]
				err := c.do(p)
				if err == nil {
					t.Fatalf("%s(%q) through a planted symlink succeeded", c.op, p)
				}
				var pe *fs.PathError
				if !errors.As(err, &pe) || pe.Op != c.op || pe.Path != p {
					t.Fatalf("%s(%q) error %#v; want *fs.PathError{Op: %q, Path: %q}", c.op, p, err, c.op, p)
				}
				canary.check(t, c.op)
				relCheckStillSymlink(t, host, canary.path)
			})
		}
	}
}

func TestSecurityNamespaceMetadataCallsRefuseTraversal(t *testing.T) {
	ns := New()
	canary := relNewCanary(t, "secret")
	rel, err := filepath.Rel(kind.ShmDir, canary.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"shm/" + rel, "sem/" + rel, "mq/" + rel, "shm/../../.." + canary.path, "shm/%2e%2e/x",
		"/" + canary.path[1:], canary.path[1:], "shm/" + filepath.Base(canary.path) + "/..",
	} {
		if err := ns.Chmod(p, 0o777); err == nil {
			t.Errorf("Chmod(%q) succeeded", p)
		}
		if err := ns.Chown(p, 65534, 65534); err == nil {
			t.Errorf("Chown(%q) succeeded", p)
		}
		if err := ns.Remove(p); err == nil {
			t.Errorf("Remove(%q) succeeded", p)
		}
		canary.check(t, p)
	}
}
