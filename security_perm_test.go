//go:build linux

package ipcfs

// Permissions: objects are created with exactly perm &^ umask, and another
// user without permission can neither open, change nor remove them.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/ipcfs/ipcfs/internal/kind"
)

func init() {
	childRoles["rel-umask"] = relUmaskChild
	childRoles["rel-nobody"] = relNobodyChild
}

// relNobodyUID is the unprivileged user the permission tests run as.
const relNobodyUID = 65534

var relChildSeq atomic.Int64

// relChildName returns an object name unique to this child process.
func relChildName(tag string) string {
	return fmt.Sprintf("/ipcfs-rel-%d-%d-%s", os.Getpid(), relChildSeq.Add(1), tag)
}

// relSmallQueue is the attribute set tests create queues with: cheap in
// the per-user RLIMIT_MSGQUEUE budget every test on the machine shares.
var relSmallQueue = MqAttr{MaxMessages: 4, MessageSize: 64}

// relCreate creates an object of kind dir ("shm", "mq", "sem") named name
// with O_CREATE|O_EXCL and perm.
func relCreate(dir, name string, perm fs.FileMode) (File, error) {
	flag := os.O_RDWR | os.O_CREATE | os.O_EXCL
	switch dir {
	case "shm":
		return OpenShm(name, flag, perm, 16)
	case "mq":
		a := relSmallQueue
		return OpenMq(name, flag, perm, &a)
	case "sem":
		return OpenSem(name, flag, perm, 1)
	}
	panic("relCreate: bad kind " + dir)
}

func relRemove(dir, name string) error {
	switch dir {
	case "shm":
		return RemoveShm(name)
	case "mq":
		return RemoveMq(name)
	case "sem":
		return RemoveSem(name)
	}
	panic("relRemove: bad kind " + dir)
}

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
	c.check(isPerm(RemoveShm(shm)), "RemoveShm of root's segment", "err = %v", RemoveShm(shm))
	c.check(isPerm(RemoveMq(mq)), "RemoveMq of root's queue", "err = %v", RemoveMq(mq))
	c.check(isPerm(RemoveSem(sem)), "RemoveSem of root's semaphore", "err = %v", RemoveSem(sem))
	for _, p := range []string{"shm" + shm, "sem" + sem} {
		c.check(isPerm(ns.Remove(p)), "Remove "+p, "err = %v", ns.Remove(p))
		c.check(isPerm(ns.Chmod(p, 0o666)), "Chmod "+p, "err = %v", ns.Chmod(p, 0o666))
		c.check(isPerm(ns.Chown(p, relNobodyUID, relNobodyUID)), "Chown "+p, "err = %v", ns.Chown(p, relNobodyUID, relNobodyUID))
		f, err := ns.OpenFile(p, os.O_RDWR, 0)
		c.check(isPerm(err), "OpenFile "+p, "err = %v", err)
		if err == nil {
			f.Close()
		}
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
		case Semaphore:
			err = o.Release()
			if err == nil {
				err = o.Acquire(context.Background())
			}
		case MessageQueue:
			err = o.Send(context.Background(), []byte("hi"), 1)
			if err == nil {
				buf := make([]byte, relSmallQueue.MessageSize)
				_, _, err = o.Receive(context.Background(), buf)
			}
		case SharedMemory:
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
