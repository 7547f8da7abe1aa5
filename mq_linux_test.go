package ipcfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	// mq-rlimit: with RLIMIT_MSGQUEUE at 1 byte, creating any queue fails;
	// print whether the error is EMFILE and its text.
	childRoles["mq-rlimit"] = func() int {
		if err := unix.Setrlimit(unix.RLIMIT_MSGQUEUE, &unix.Rlimit{Cur: 1, Max: 1}); err != nil {
			fmt.Println("setrlimit:", err)
			return 1
		}
		name := os.Getenv("IPCFS_MQ_NAME")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 1, MessageSize: 8})
		if err == nil {
			q.Close()
			RemoveMq(name)
			fmt.Println("created")
			return 0
		}
		fmt.Printf("EMFILE=%v %v\n", errors.Is(err, syscall.EMFILE), err)
		return 0
	}
}

func init() {
	// mq-enospc: run in a private IPC namespace whose queues_max is 0;
	// creating a queue fails with ENOSPC.
	childRoles["mq-enospc"] = func() int {
		name := os.Getenv("IPCFS_MQ_NAME")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 1, MessageSize: 8})
		if err == nil {
			q.Close()
			RemoveMq(name)
			fmt.Println("created")
			return 0
		}
		fmt.Printf("ENOSPC=%v %v\n", errors.Is(err, syscall.ENOSPC), err)
		return 0
	}
}

// mqueueMountpointScript defines the shell function mqueue_mountpoint, for
// the setup of a child in a private mount namespace: it makes /dev/mqueue
// exist there without creating it on the host's /dev (a fresh machine has
// no such directory, and the tests must not give it one). A writable
// overlay goes over /dev, carrying the mounts under /dev along.
// .ci/run does the same.
const mqueueMountpointScript = `
mqueue_mountpoint() {
  [ -d /dev/mqueue ] && return 0
  t=$(mktemp -d)
  mount -t tmpfs tmpfs "$t"
  mkdir "$t/upper" "$t/work" "$t/dev"
  mount -t overlay overlay -o "lowerdir=/dev,upperdir=$t/upper,workdir=$t/work" "$t/dev"
  prev=/nonexistent
  for m in $(findmnt -rn -o TARGET -R /dev | sort -u); do
    case $m in /dev|"$prev"/*) continue;; esac
    mount --rbind "$m" "$t/dev${m#/dev}"
    prev=$m
  done
  mount --move "$t/dev" /dev
  umount -l "$t"
  rmdir "$t"
  mkdir /dev/mqueue
}
`

func init() {
	// mq-foreign: run in a new IPC namespace while /dev/mqueue shows the
	// parent's (the state unshare --ipc leaves). Queues are found in this
	// namespace, never through the foreign mount, and listing says the
	// mount is not ours.
	childRoles["mq-foreign"] = mqForeignChild
}

func mqForeignChild() int {
	c := &relChild{}
	ns := New()
	same, outerOnly := relEnv("IPCFS_MQ_SAME"), relEnv("IPCFS_MQ_OUTER")
	mountDev, ok := mqSysMountDev("/dev/mqueue")
	if !ok {
		c.failf("no mqueue file system at /dev/mqueue: the foreign case is not set up")
		return c.exit()
	}
	listing := func(what string) {
		_, err := ns.ReadDir("mq")
		c.check(errors.Is(err, ErrMqueueNotMounted) && strings.Contains(err.Error(), "another namespace"),
			what, "ReadDir(mq) = %v; want ErrMqueueNotMounted naming the other namespace", err)
	}
	listing("ReadDir(mq) with no handle open refuses the foreign mount")
	_, err := ns.Stat("mq" + outerOnly)
	c.check(errors.Is(err, fs.ErrNotExist), "Stat of a queue only the foreign mount shows", "err = %v; want fs.ErrNotExist", err)

	q, err := OpenMq(same, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &MqAttr{MaxMessages: 3, MessageSize: 32})
	if err != nil {
		c.failf("create this namespace's %s: %v", same, err)
		return c.exit()
	}
	defer RemoveMq(same)
	for _, m := range []string{"inner1", "inner22"} {
		if _, err := q.Write([]byte(m)); err != nil {
			c.failf("send: %v", err)
		}
	}
	stat := func(what string) {
		fi, err := ns.Stat("mq" + same)
		if err != nil {
			c.failf("%s: %v", what, err)
			return
		}
		a := fi.Sys().(MqInfo).Attr
		st, _ := fi.Sys().(MqInfo).Stat.(*syscall.Stat_t)
		c.check(a.MaxMessages == 3 && a.CurMessages == 2 && fi.Size() == 13 && st != nil && uint64(st.Dev) != mountDev,
			what, "attr %+v size %d stat %+v; want this namespace's queue (3 messages at most, 2 queued, 13 bytes, not on the mount's device %d)",
			a, fi.Size(), st, mountDev)
	}
	stat("Stat through the open handle finds this namespace's queue")
	listing("ReadDir(mq) with a handle open refuses the foreign mount")
	q.Close()
	stat("Stat through mq_open finds this namespace's queue")
	if err := ns.Chmod("mq"+same, 0o640); err != nil {
		c.failf("Chmod: %v", err)
	} else if fi, err := ns.Stat("mq" + same); err != nil || fi.Mode().Perm() != 0o640 {
		c.failf("Chmod changed nothing here: %v, %v", fi, err)
	} else {
		c.okf("Chmod changes this namespace's queue")
	}
	return c.exit()
}

// The foreign case is proven in a child: when /dev/mqueue is not this
// process's mount, the child's setup mounts this namespace's mqueue file
// system there, in a private mount namespace (nothing changes for the
// other tests); then the child runs in a new IPC namespace.
func TestMqForeignMountIsNeverUsed(t *testing.T) {
	opts := relChildOpts{ipcNS: true}
	if mqueueMount() != nil {
		opts = relChildOpts{mntNS: true, setup: mqueueMountpointScript + `
mqueue_mountpoint
mount -t mqueue none /dev/mqueue
set -- unshare --ipc -- "$@"`}
	}
	outer := mqCreate(t, 0, MqAttr{MaxMessages: 2, MessageSize: 16})
	mqSend(t, outer, "outer", 0)
	same, outerOnly := outer.Name(), mqCreate(t, 0, MqAttr{MaxMessages: 1, MessageSize: 8}).Name()
	opts.env = []string{"IPCFS_MQ_SAME=" + same, "IPCFS_MQ_OUTER=" + outerOnly}
	relRunChild(t, "mq-foreign", opts)

	fi, err := outer.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if a := fi.Sys().(MqInfo).Attr; a.CurMessages != 1 || fi.Mode().Perm() != 0o600 {
		t.Errorf("the outer queue after the child: %+v, mode %v; want 1 message, mode 0600", a, fi.Mode())
	}
}
