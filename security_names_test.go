//go:build linux

package ipcfs

// Names and host files: traversal names reach nothing outside the IPC
// directories through any entry point, planted symlinks are not followed,
// and non-regular files under an object's name are refused without a hang.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// relEntryPoints are every function that takes an object name, as
// (what, call) pairs; each call may create, truncate or remove.
func relEntryPoints(name string) []struct {
	what string
	call func() (File, error)
} {
	ns := New()
	flags := os.O_RDWR | os.O_CREATE | os.O_TRUNC
	return []struct {
		what string
		call func() (File, error)
	}{
		{"OpenShm", func() (File, error) { return OpenShm(name, flags, 0o666, 4096) }},
		{"OpenSem", func() (File, error) { return OpenSem(name, os.O_CREATE, 0o666, 1) }},
		{"OpenMq", func() (File, error) { return OpenMq(name, os.O_RDWR|os.O_CREATE, 0o666, &relSmallQueue) }},
		{"RemoveShm", func() (File, error) { return nil, RemoveShm(name) }},
		{"RemoveSem", func() (File, error) { return nil, RemoveSem(name) }},
		{"RemoveMq", func() (File, error) { return nil, RemoveMq(name) }},
		{"OpenFile shm", func() (File, error) { return ns.OpenFile("shm/"+name, flags, 0o666) }},
		{"OpenFile sem", func() (File, error) { return ns.OpenFile("sem/"+name, flags, 0o666) }},
		{"Remove shm", func() (File, error) { return nil, ns.Remove("shm/" + name) }},
		{"Remove sem", func() (File, error) { return nil, ns.Remove("sem/" + name) }},
		{"Chmod shm", func() (File, error) { return nil, ns.Chmod("shm/"+name, 0o777) }},
		{"CreateTemp shm", func() (File, error) { return ns.CreateTemp("shm", name) }},
		{"CreateTemp sem", func() (File, error) { return ns.CreateTemp("sem", name) }},
	}
}

func TestSecurityNamesCannotEscapeIPCDirs(t *testing.T) {
	canary := relNewCanary(t, "do not touch")
	fromShm, err := filepath.Rel(kind.ShmDir, canary.path)
	if err != nil {
		t.Fatal(err)
	}
	fromMq, err := filepath.Rel(kind.MqueueDir, canary.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		fromShm, "/" + fromShm, fromMq, "/" + fromMq, "//" + fromShm,
		strings.Repeat("../", 10) + canary.path[1:], "sem." + fromShm, "x/../" + fromShm,
		"..", "/..", ".", fromShm + "\x00", "\x00" + fromShm,
	} {
		for _, e := range relEntryPoints(name) {
			f, err := e.call()
			if err == nil && strings.HasPrefix(e.what, "CreateTemp") {
				// The pattern is only a prefix: "." and ".." make valid
				// names. What was made must be a proper object; remove it.
				dir := strings.TrimPrefix(e.what, "CreateTemp ")
				f.Close()
				if _, cerr := CleanName(dir, f.Name()); cerr != nil {
					t.Errorf("%s(%q) made %q: %v", e.what, name, f.Name(), cerr)
				}
				if rerr := relRemove(dir, f.Name()); rerr != nil {
					t.Errorf("removing %s %q made by CreateTemp: %v", dir, f.Name(), rerr)
				}
				continue
			}
			if err == nil {
				if f != nil {
					f.Close()
				}
				t.Errorf("%s(%q) succeeded", e.what, name)
				continue
			}
			if !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("%s(%q) = %v; want fs.ErrInvalid", e.what, name, err)
			}
		}
		canary.check(t, name)
	}
}

func TestSecuritySymlinksAreNotFollowed(t *testing.T) {
	// A target the planted link points at: a file of ours, with content a
	// successful open would show or a truncation would destroy.
	content := string(make([]byte, 32)) // 32 zero bytes: a plausible semaphore
	cases := []struct {
		dir, what string
		call      func(name string) (File, error)
	}{
		{"shm", "open read-only", func(n string) (File, error) { return OpenShm(n, os.O_RDONLY, 0, 0) }},
		{"shm", "open read-write", func(n string) (File, error) { return OpenShm(n, os.O_RDWR, 0, 0) }},
		{"shm", "open with O_CREATE", func(n string) (File, error) { return OpenShm(n, os.O_RDWR|os.O_CREATE, 0o666, 0) }},
		{"shm", "open with O_TRUNC", func(n string) (File, error) { return OpenShm(n, os.O_RDWR|os.O_TRUNC, 0, 0) }},
		{"shm", "open with a size", func(n string) (File, error) { return OpenShm(n, os.O_RDWR|os.O_CREATE, 0o666, 1<<20) }},
		{"shm", "create with O_EXCL", func(n string) (File, error) {
			return OpenShm(n, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666, 0)
		}},
		{"sem", "open", func(n string) (File, error) { return OpenSem(n, 0, 0, 0) }},
		{"sem", "open with O_CREATE", func(n string) (File, error) { return OpenSem(n, os.O_CREATE, 0o666, 5) }},
		{"sem", "create with O_EXCL", func(n string) (File, error) { return OpenSem(n, os.O_CREATE|os.O_EXCL, 0o666, 5) }},
		{"shm", "namespace Open", func(n string) (File, error) {
			f, err := New().Open("shm/" + n[1:])
			if f == nil {
				return nil, err
			}
			return f.(File), err
		}},
		{"sem", "namespace OpenFile", func(n string) (File, error) { return New().OpenFile("sem/"+n[1:], os.O_RDWR, 0) }},
	}
	for _, c := range cases {
		t.Run(c.dir+" "+c.what, func(t *testing.T) {
			for _, dangling := range []bool{false, true} {
				canary := relNewCanary(t, content)
				target := canary.path
				if dangling {
					target = filepath.Join(filepath.Dir(canary.path), "missing")
				}
				name := uniqueName(t)
				host := relPlantSymlink(t, c.dir, name, target)
				f, err := c.call(name)
				if err == nil {
					f.Close()
					t.Fatalf("through a symlink to %s (dangling %v): succeeded", target, dangling)
				}
				if errors.Is(err, fs.ErrInvalid) && !errors.Is(err, syscall.ELOOP) {
					// ELOOP is what O_NOFOLLOW gives; other refusals are fine too
					// but must not be name-rule errors.
					if relIsNameRuleError(err) {
						t.Fatalf("refused as a bad name: %v", err)
					}
				}
				canary.check(t, c.what)
				relCheckStillSymlink(t, host, target)
				if dangling {
					if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("a dangling symlink's target was created: %v", err)
					}
				}
			}
		})
	}
}

func TestSecurityNonRegularFilesAreRefused(t *testing.T) {
	makers := []struct {
		what string
		make func(path string) error
	}{
		{"directory", func(p string) error { return os.Mkdir(p, 0o777) }},
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o666) }},
	}
	opens := []struct {
		dir, what string
		call      func(name string) (File, error)
	}{
		{"shm", "OpenShm read-only", func(n string) (File, error) { return OpenShm(n, os.O_RDONLY, 0, 0) }},
		{"shm", "OpenShm read-write", func(n string) (File, error) { return OpenShm(n, os.O_RDWR, 0, 0) }},
		{"shm", "OpenShm O_CREATE", func(n string) (File, error) { return OpenShm(n, os.O_RDWR|os.O_CREATE, 0o600, 64) }},
		{"sem", "OpenSem", func(n string) (File, error) { return OpenSem(n, 0, 0, 0) }},
		{"sem", "OpenSem O_CREATE", func(n string) (File, error) { return OpenSem(n, os.O_CREATE, 0o600, 1) }},
	}
	for _, m := range makers {
		for _, o := range opens {
			t.Run(m.what+"/"+o.what, func(t *testing.T) {
				name := uniqueName(t)
				n, _ := CleanName(o.dir, name)
				host := relKind(o.dir).HostPath(n)
				if err := m.make(host); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Remove(host) })
				done := make(chan error, 1)
				go func() {
					f, err := o.call(name)
					if err == nil {
						f.Close()
					}
					done <- err
				}()
				select {
				case err := <-done:
					if err == nil {
						t.Fatalf("%s opened a %s", o.what, m.what)
					}
					var pe *fs.PathError
					if !errors.As(err, &pe) || pe.Path != name {
						t.Fatalf("%s of a %s: %#v; want an *fs.PathError for %q", o.what, m.what, err, name)
					}
				case <-time.After(20 * time.Second):
					// Unblock the open so the test can end, then fail.
					if m.what == "FIFO" {
						if w, err := os.OpenFile(host, os.O_RDWR, 0); err == nil {
							w.Close()
						}
					}
					t.Fatalf("%s of a %s still blocked after 20s", o.what, m.what)
				}
				st, err := os.Lstat(host)
				if err != nil || st.Mode().IsRegular() {
					t.Fatalf("the planted %s was replaced: %v, %v", m.what, st.Mode(), err)
				}
			})
		}
	}
}

// FuzzObjectNames creates, uses and removes objects of each kind with a
// fuzzed name (under a prefix unique to the process, so nothing else is
// touched): either fs.ErrInvalid, or an object whose host file is exactly
// internal/kind's HostPath of the name and is gone after the remove. Queues are
// not checked through /dev/mqueue (it may not be mounted), but their create
// and remove must agree.
func FuzzObjectNames(f *testing.F) {
	for _, n := range relHostileNames {
		f.Add(n)
	}
	f.Add("ok-name")
	prefix := uniqueName(f) + "-"
	f.Fuzz(func(t *testing.T, suffix string) {
		name := prefix + suffix
		for _, dir := range relKindDirs {
			file, err := relCreate(dir, name, 0o600)
			_, cleanErr := CleanName(dir, name)
			if err != nil {
				if cleanErr != nil {
					if !errors.Is(err, fs.ErrInvalid) {
						t.Fatalf("create %s %q: %v; want fs.ErrInvalid", dir, name, err)
					}
					continue
				}
				if errors.Is(err, syscall.ENAMETOOLONG) {
					continue
				}
				t.Fatalf("create %s %q (a valid name): %v", dir, name, err)
			}
			if cleanErr != nil {
				file.Close()
				relRemove(dir, name)
				t.Fatalf("create %s %q succeeded; CleanName says %v", dir, name, cleanErr)
			}
			n, _ := CleanName(dir, name)
			host := relKind(dir).HostPath(n)
			if dir != "mq" {
				if _, err := os.Lstat(host); err != nil {
					t.Errorf("created %s %q but %s: %v", dir, name, host, err)
				}
			}
			if want := "/" + n; file.Name() != want {
				t.Errorf("Name() = %q; want %q", file.Name(), want)
			}
			file.Close()
			if err := relRemove(dir, name); err != nil {
				t.Fatalf("remove %s %q: %v", dir, name, err)
			}
			if dir != "mq" {
				if _, err := os.Lstat(host); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("after remove of %s %q, %s: %v", dir, name, host, err)
				}
			}
		}
	})
}
