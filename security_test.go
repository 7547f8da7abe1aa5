//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// Names and host files: traversal names reach nothing outside the IPC
// directories through any entry point, planted symlinks are not followed,
// and non-regular files under an object's name are refused without a hang.

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
				made, ok := strings.CutPrefix(f.Name(), dir+"/")
				if _, cerr := CleanName(dir, made); !ok || cerr != nil {
					t.Errorf("%s(%q) made %q: want %s/NAME with a valid NAME (%v)", e.what, name, f.Name(), dir, cerr)
				}
				if rerr := relRemove(dir, made); rerr != nil {
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

// Permissions: objects are created with exactly perm &^ umask, and another
// user without permission can neither open, change nor remove them.

func init() {
	childRoles["rel-umask"] = relUmaskChild
	childRoles["rel-nobody"] = relNobodyChild
}

// relNobodyUID is the unprivileged user the permission tests run as.
const relNobodyUID = 65534

// relObjectMode returns the permission bits of the object dir/name and the
// owner uid, from the host file, or for a queue without /dev/mqueue from
// the open handle f.
func relObjectMode(dir, name string, f File) (fs.FileMode, int, error) {
	k := relKind(dir)
	n, err := CleanName(dir, name)
	if err != nil {
		return 0, 0, err
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(k.HostPath(n), &st); err == nil {
		return fs.FileMode(st.Mode & 0o777), int(st.Uid), nil
	} else if k != kind.Mq {
		return 0, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	uid := -1
	if info, ok := fi.Sys().(MqInfo); ok {
		if s, ok := info.Stat.(*syscall.Stat_t); ok {
			uid = int(s.Uid)
		}
	}
	return fi.Mode().Perm(), uid, nil
}

var relUmasks = []int{0, 0o022, 0o077, 0o027}

var relPerms = []fs.FileMode{0o600, 0o644, 0o666, 0o777, 0o640, 0o604, 0o400}

// relUmaskChild creates every kind with every perm under every umask and
// prints the resulting modes.
func relUmaskChild() int {
	c := &relChild{}
	for _, mask := range relUmasks {
		syscall.Umask(mask)
		for _, dir := range relKindDirs {
			for _, perm := range relPerms {
				name := relChildName("umask")
				f, err := relCreate(dir, name, perm)
				if err != nil {
					c.failf("create %s %s perm %o umask %03o: %v", dir, name, perm, mask, err)
					continue
				}
				mode, _, err := relObjectMode(dir, name, f)
				if err != nil {
					c.failf("mode of %s %s: %v", dir, name, err)
				} else {
					c.valuef(fmt.Sprintf("%s-%03o-%03o", dir, mask, perm), "%03o", mode)
				}
				f.Close()
				if err := relRemove(dir, name); err != nil {
					c.failf("remove %s %s: %v", dir, name, err)
				}
			}
		}
	}
	return c.exit()
}

func TestSecurityCreatedObjectsGetPermMinusUmask(t *testing.T) {
	values := relRunChild(t, "rel-umask", relChildOpts{})
	for _, mask := range relUmasks {
		for _, dir := range relKindDirs {
			for _, perm := range relPerms {
				key := fmt.Sprintf("%s-%03o-%03o", dir, mask, perm)
				want := fmt.Sprintf("%03o", perm&^fs.FileMode(mask))
				if got, ok := values[key]; !ok {
					t.Errorf("%s perm %03o umask %03o: no mode reported", dir, perm, mask)
				} else if got != want {
					t.Errorf("%s created with perm %03o under umask %03o has mode %s; want %s", dir, perm, mask, got, want)
				}
			}
		}
	}
}

// relNobodyChild runs as an unprivileged user against root's objects named
// in the environment, and with objects of its own.
func relNobodyChild() int {
	c := &relChild{}
	ns := New()
	isPerm := func(err error) bool { return err != nil && errors.Is(err, fs.ErrPermission) }
	c.check(os.Getuid() == relNobodyUID, "running as nobody", "uid %d", os.Getuid())

	shm, mq, sem, shmRead := relEnv("REL_SHM"), relEnv("REL_MQ"), relEnv("REL_SEM"), relEnv("REL_SHM_READ")
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR, os.O_RDWR | os.O_CREATE, os.O_RDONLY | os.O_TRUNC} {
		f, err := OpenShm(shm, flag, 0o666, 0)
		c.check(isPerm(err), fmt.Sprintf("open root's 0600 segment with flag %#o", flag), "err = %v", err)
		if err == nil {
			f.Close()
		}
	}
	_, err := OpenShm(shm, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666, 0)
	c.check(errors.Is(err, fs.ErrExist), "O_EXCL on root's segment", "err = %v; want fs.ErrExist", err)
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY, os.O_RDWR, os.O_RDWR | os.O_CREATE} {
		q, err := OpenMq(mq, flag, 0o666, &relSmallQueue)
		c.check(isPerm(err), fmt.Sprintf("open root's 0600 queue with flag %#o", flag), "err = %v", err)
		if err == nil {
			q.Close()
		}
	}
	for _, flag := range []int{0, os.O_CREATE} {
		s, err := OpenSem(sem, flag, 0o666, 5)
		c.check(isPerm(err), fmt.Sprintf("open root's 0600 semaphore with flag %#o", flag), "err = %v", err)
		if err == nil {
			s.Close()
		}
	}
	// The sticky /dev/shm and /dev/mqueue refuse with EPERM; glibc's
	// shm_unlink, sem_unlink and mq_unlink report EACCES, and so does ipcfs,
	// for every kind.
	isEACCES := func(err error) bool { return isPerm(err) && errors.Is(err, syscall.EACCES) }
	c.check(isEACCES(RemoveShm(shm)), "RemoveShm of root's segment is EACCES", "err = %v", RemoveShm(shm))
	c.check(isEACCES(RemoveMq(mq)), "RemoveMq of root's queue is EACCES", "err = %v", RemoveMq(mq))
	c.check(isEACCES(RemoveSem(sem)), "RemoveSem of root's semaphore is EACCES", "err = %v", RemoveSem(sem))
	for _, p := range []string{"shm" + shm, "mq" + mq, "sem" + sem} {
		c.check(isEACCES(ns.Remove(p)), "Remove "+p+" is EACCES", "err = %v", ns.Remove(p))
		c.check(isPerm(ns.Chmod(p, 0o666)), "Chmod "+p, "err = %v", ns.Chmod(p, 0o666))
		c.check(isPerm(ns.Chown(p, relNobodyUID, relNobodyUID)), "Chown "+p, "err = %v", ns.Chown(p, relNobodyUID, relNobodyUID))
		f, err := ns.OpenFile(p, os.O_RDWR, 0)
		c.check(isPerm(err), "OpenFile "+p, "err = %v", err)
		if err == nil {
			f.Close()
		}
	}

	// A queue is stat'ed and changed by name through a descriptor, which
	// needs read or write permission on it; only with this namespace's
	// mqueue mount does it go through the mount instead, needing none (the
	// difference FS.Stat documents).
	mounted := mqueueMount() == nil
	fi, err := ns.Stat("mq" + mq)
	if mounted {
		c.check(err == nil && fi.Mode().Perm() == 0o600, "Stat of root's 0600 queue through the mount", "%v, %v", fi, err)
	} else {
		c.check(isPerm(err), "Stat of root's 0600 queue without the mount needs permission", "err = %v", err)
	}
	noPerm := relChildName("noperm")
	if q, err := OpenMq(noPerm, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0, &relSmallQueue); err != nil {
		c.failf("create own queue with mode 0: %v", err)
	} else {
		q.Close()
		err := ns.Chmod("mq"+noPerm, 0o600)
		if mounted {
			c.check(err == nil, "Chmod of own mode-0 queue through the mount", "err = %v", err)
		} else {
			c.check(isPerm(err), "Chmod of own mode-0 queue without the mount needs permission", "err = %v", err)
		}
		c.check(RemoveMq(noPerm) == nil, "remove own mode-0 queue", "")
	}

	// A 0644 segment: readable, not writable; a write through a read-only
	// handle is an error, never a SIGSEGV.
	r, err := OpenShm(shmRead, os.O_RDONLY, 0, 0)
	if err != nil {
		c.failf("open root's 0644 segment read-only: %v", err)
	} else {
		buf := make([]byte, 6)
		n, err := r.ReadAt(buf, 0)
		c.check(err == nil && string(buf[:n]) == "public", "read root's 0644 segment", "%q, %v", buf[:n], err)
		_, err = r.WriteAt([]byte("x"), 0)
		c.check(err != nil, "write through a read-only handle fails", "err = nil")
		_, err = r.Write([]byte("x"))
		c.check(err != nil, "Write through a read-only handle fails", "err = nil")
		r.Close()
	}
	_, err = OpenShm(shmRead, os.O_RDWR, 0, 0)
	c.check(isPerm(err), "open root's 0644 segment read-write", "err = %v", err)

	// Its own objects work, with its uid and perm &^ umask.
	syscall.Umask(0o022)
	for _, dir := range relKindDirs {
		name := relChildName("own")
		f, err := relCreate(dir, name, 0o666)
		if err != nil {
			c.failf("create own %s: %v", dir, err)
			continue
		}
		mode, uid, err := relObjectMode(dir, name, f)
		c.check(err == nil && mode == 0o644 && (uid == relNobodyUID || uid == -1), "own "+dir+" mode and owner",
			"mode %o uid %d err %v", mode, uid, err)
		switch o := f.(type) {
		case Sem:
			err = o.Release()
			if err == nil {
				err = o.Acquire(context.Background())
			}
		case Mq:
			err = o.Send(context.Background(), []byte("hi"), 1)
			if err == nil {
				buf := make([]byte, relSmallQueue.MessageSize)
				_, _, err = o.Receive(context.Background(), buf)
			}
		case Shm:
			_, err = o.WriteAt([]byte("mine"), 0)
		}
		c.check(err == nil, "use own "+dir, "err = %v", err)
		f.Close()
		c.check(relRemove(dir, name) == nil, "remove own "+dir, "err = %v", err)
	}
	return c.exit()
}

func TestSecurityUnprivilegedUser(t *testing.T) {
	made := map[string]string{}
	for _, dir := range relKindDirs {
		name := uniqueName(t)
		f, err := relCreate(dir, name, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close(); relRemove(dir, name) })
		made[dir] = name
	}
	shm, err := OpenShm(made["shm"], os.O_RDWR, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Close()
	if _, err := shm.WriteAt([]byte("root-secret"), 0); err != nil {
		t.Fatal(err)
	}
	q, err := OpenMq(made["mq"], os.O_RDWR, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Send(context.Background(), []byte("root-msg"), 3); err != nil {
		t.Fatal(err)
	}
	readable := uniqueName(t)
	rf, err := OpenShm(readable, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rf.Close(); RemoveShm(readable) })
	if err := New().Chmod("shm"+readable, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if _, err := rf.WriteAt([]byte("public"), 0); err != nil {
		t.Fatal(err)
	}

	relRunChild(t, "rel-nobody", relChildOpts{uid: relNobodyUID, env: []string{
		"REL_SHM=" + made["shm"], "REL_MQ=" + made["mq"], "REL_SEM=" + made["sem"], "REL_SHM_READ=" + readable,
	}})

	// Nothing of root's changed.
	buf := make([]byte, 11)
	if _, err := shm.ReadAt(buf, 0); err != nil || string(buf) != "root-secret" {
		t.Errorf("root's segment after the unprivileged child: %q, %v", buf, err)
	}
	if a, err := q.Attr(); err != nil || a.CurMessages != 1 {
		t.Errorf("root's queue after the unprivileged child: %+v, %v; want 1 message", a, err)
	}
	s, err := OpenSem(made["sem"], 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Value(); err != nil || v != 1 {
		t.Errorf("root's semaphore after the unprivileged child: %d, %v; want 1", v, err)
	}
	for _, dir := range relKindDirs {
		mode, uid, err := relObjectMode(dir, made[dir], map[string]File{"shm": shm, "mq": q, "sem": s}[dir])
		if err != nil || mode != 0o600 || (uid != 0 && uid != -1) {
			t.Errorf("root's %s after the unprivileged child: mode %o uid %d err %v; want 0600 root", dir, mode, uid, err)
		}
	}
}

// Symlinks planted in /dev/shm under an object's name must never be
// followed: /dev/shm is world-writable, so anyone can plant one before we
// open, create, chmod or chown a name (and fs.protected_symlinks may be 0).

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
