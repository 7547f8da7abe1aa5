//go:build linux

package ipcfs

// Resource limits: each gives an error that names the limit and how to
// raise it, still errors.Is the errno, and leaves nothing half-created.
// Every test runs its child in private namespaces (a new IPC namespace with
// its own mqueue limits, a new mount namespace with a small tmpfs at
// /dev/shm), so the host's shared limits are neither consumed nor needed,
// and whatever the child leaves dies with its namespaces.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

func init() {
	childRoles["rel-limits"] = relLimitsChild
}

// relLimitsChild runs the check named by REL_CHECK.
func relLimitsChild() int {
	c := &relChild{}
	switch check := relEnv("REL_CHECK"); check {
	case "queues-max":
		relCheckQueuesMax(c)
	case "msg-max":
		relCheckMsgMax(c)
	case "rlimit-msgqueue":
		relCheckRlimitMsgqueue(c)
	case "rlimit-nofile":
		relCheckRlimitNofile(c)
	case "full-tmpfs":
		relCheckFullTmpfs(c)
	default:
		c.failf("unknown check %q", check)
	}
	return c.exit()
}

// relCheckLimitError reports whether err is errno and its text mentions
// every one of words (the limit's name, how to raise it).
func relCheckLimitError(c *relChild, what string, err error, errno syscall.Errno, words ...string) {
	var pe *fs.PathError
	switch {
	case err == nil:
		c.failf("%s: succeeded; want %v", what, errno)
	case !errors.As(err, &pe):
		c.failf("%s: %v is not an *fs.PathError", what, err)
	case !errors.Is(err, errno):
		c.failf("%s: %v; want errors.Is %v", what, err, errno)
	default:
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				c.failf("%s: error %q does not mention %q", what, err, w)
				return
			}
		}
		c.okf("%s: %v", what, err)
	}
}

// relCheckQueueAbsent reports whether queue name does not exist.
func relCheckQueueAbsent(c *relChild, what, name string) {
	q, err := OpenMq(name, os.O_RDONLY, 0, nil)
	if err == nil {
		q.Close()
		RemoveMq(name)
	}
	c.check(errors.Is(err, fs.ErrNotExist), what+": nothing half-created", "open of %s after the failure: %v", name, err)
}

func relCheckQueuesMax(c *relChild) {
	const max = 3 // set by the parent in the child's IPC namespace
	var made []string
	defer func() {
		for _, n := range made {
			RemoveMq(n)
		}
	}()
	for i := range max + 1 {
		name := relChildName("qmax")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
		if i < max {
			if err != nil {
				c.failf("queue %d of %d: %v", i+1, max, err)
				return
			}
			q.Close()
			made = append(made, name)
			continue
		}
		relCheckLimitError(c, "queue beyond queues_max", err, syscall.ENOSPC, "queues_max", "sysctl")
		if err == nil {
			q.Close()
			made = append(made, name)
		} else {
			relCheckQueueAbsent(c, "queue beyond queues_max", name)
		}
	}
	// Removing one makes room again.
	if err := RemoveMq(made[0]); err != nil {
		c.failf("remove: %v", err)
	}
	made = made[1:]
	name := relChildName("qmax")
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
	c.check(err == nil, "create after a remove below queues_max", "%v", err)
	if err == nil {
		q.Close()
		made = append(made, name)
	}
}

func relCheckMsgMax(c *relChild) {
	const msgMax, msgsizeMax = 5, 256 // set by the parent in the child's IPC namespace
	cases := []struct {
		what  string
		attr  MqAttr
		words []string
	}{
		{"MaxMessages above msg_max", MqAttr{MaxMessages: msgMax + 1, MessageSize: 16}, []string{"msg_max", "sysctl"}},
		{"MaxMessages huge", MqAttr{MaxMessages: 1 << 40, MessageSize: 16}, []string{"msg_max", "sysctl"}},
		{"MessageSize above msgsize_max", MqAttr{MaxMessages: 2, MessageSize: msgsizeMax + 1}, []string{"msgsize_max", "sysctl"}},
		{"MessageSize huge", MqAttr{MaxMessages: 2, MessageSize: 1 << 40}, []string{"msgsize_max", "sysctl"}},
	}
	for _, tc := range cases {
		name := relChildName("msgmax")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &tc.attr)
		if err == nil {
			q.Close()
			RemoveMq(name)
		}
		relCheckLimitError(c, tc.what, err, syscall.EINVAL, tc.words...)
		relCheckQueueAbsent(c, tc.what, name)
	}
	// At the limits exactly: fine, and a full queue says so.
	name := relChildName("msgmax")
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NONBLOCK, 0o600, &MqAttr{MaxMessages: msgMax, MessageSize: msgsizeMax})
	if err != nil {
		c.failf("queue at msg_max and msgsize_max: %v", err)
		return
	}
	defer func() { q.Close(); RemoveMq(name) }()
	msg := make([]byte, msgsizeMax)
	for i := range msgMax {
		if err := q.Send(context.Background(), msg, 0); err != nil {
			c.failf("send %d of %d: %v", i+1, msgMax, err)
			return
		}
	}
	err = q.Send(context.Background(), msg, 0)
	c.check(errors.Is(err, ErrWouldBlock), "send to a full non-blocking queue", "%v; want ErrWouldBlock", err)
	err = q.Send(context.Background(), make([]byte, msgsizeMax+1), 0)
	c.check(errors.Is(err, syscall.EMSGSIZE), "message above the queue's size", "%v; want EMSGSIZE", err)
}

func relCheckRlimitMsgqueue(c *relChild) {
	// What the kernel charges on 64-bit Linux: the messages plus 96 bytes
	// of bookkeeping each (linux-ipc.md, section 7.8).
	cost := relSmallQueue.MaxMessages*relSmallQueue.MessageSize + 96*relSmallQueue.MaxMessages
	limit := uint64(2*cost + cost/2) // room for two queues, not three
	if err := unix.Setrlimit(unix.RLIMIT_MSGQUEUE, &unix.Rlimit{Cur: limit, Max: limit}); err != nil {
		c.failf("setrlimit(RLIMIT_MSGQUEUE, %d): %v", limit, err)
		return
	}
	var made []string
	defer func() {
		for _, n := range made {
			RemoveMq(n)
		}
	}()
	var handles []*MqFile
	for i := range 3 {
		name := relChildName("rlimit")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
		if i < 2 {
			if err != nil {
				c.failf("queue %d within RLIMIT_MSGQUEUE %d (cost %d each): %v", i+1, limit, cost, err)
				return
			}
			handles = append(handles, q)
			made = append(made, name)
			continue
		}
		relCheckLimitError(c, "queue beyond RLIMIT_MSGQUEUE", err, syscall.EMFILE, "RLIMIT_MSGQUEUE", "ulimit -q")
		if err == nil {
			q.Close()
			made = append(made, name)
		} else {
			relCheckQueueAbsent(c, "queue beyond RLIMIT_MSGQUEUE", name)
		}
	}
	// The bytes come back when a queue is removed and closed.
	handles[0].Close()
	RemoveMq(made[0])
	made = made[1:]
	name := relChildName("rlimit")
	q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
	c.check(err == nil, "create after freeing a queue's bytes", "%v", err)
	if err == nil {
		q.Close()
		made = append(made, name)
	}
	for _, h := range handles[1:] {
		h.Close()
	}
}

// relShmEntries lists the child's private /dev/shm.
func relShmEntries() []string {
	entries, _ := os.ReadDir("/dev/shm")
	var list []string
	for _, e := range entries {
		list = append(list, e.Name())
	}
	sort.Strings(list)
	return list
}

func relCheckRlimitNofile(c *relChild) {
	// Start the runtime poller before the limit, as a real program would
	// have: it needs descriptors of its own.
	warm, err := OpenMq(relChildName("warm"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &relSmallQueue)
	if err != nil {
		c.failf("warm-up queue: %v", err)
		return
	}
	RemoveMq(warm.Name())
	defer warm.Close()

	for _, dir := range relKindDirs {
		before := relShmEntries()
		var handles []File
		var fillers []*os.File
		// Exhaust the descriptor table, with handles of this kind where a
		// handle holds a descriptor and with /dev/null where it does not.
		lim := unix.Rlimit{Cur: 64, Max: 64}
		var old unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &old)
		lim.Max = old.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			c.failf("setrlimit(RLIMIT_NOFILE): %v", err)
			return
		}
		var failName string
		var failErr error
		for range 200 {
			if dir == "sem" {
				f, err := os.Open(os.DevNull)
				if err == nil {
					fillers = append(fillers, f)
					continue
				}
			}
			name := relChildName("nofile")
			f, err := relCreate(dir, name, 0o600)
			if err != nil {
				failName, failErr = name, err
				break
			}
			handles = append(handles, f)
			if dir == "sem" {
				f.Close()
				RemoveSem(name)
			}
		}
		var words []string
		if os.Getenv("REL_NAME_LIMIT") != "" {
			words = []string{"RLIMIT_NOFILE", "ulimit -n"}
		}
		relCheckLimitError(c, dir+" create with RLIMIT_NOFILE exhausted", failErr, syscall.EMFILE, words...)
		if failName != "" {
			after := relShmEntries()
			if dir == "mq" {
				// Free a descriptor to look.
				if len(handles) > 0 {
					handles[len(handles)-1].Close()
					handles = handles[:len(handles)-1]
				}
				relCheckQueueAbsent(c, dir+" create with RLIMIT_NOFILE exhausted", failName)
			} else {
				var made []string
				for _, h := range handles {
					n, _ := CleanName(dir, h.Name())
					made = append(made, n)
				}
				want := map[string]bool{}
				for _, n := range before {
					want[n] = true
				}
				for _, n := range made {
					want[n] = true
				}
				for _, n := range after {
					if !want[n] {
						c.failf("%s create with RLIMIT_NOFILE exhausted left %s in /dev/shm", dir, n)
					}
				}
			}
		}
		for _, h := range handles {
			h.Close()
			relRemove(dir, h.Name())
		}
		for _, f := range fillers {
			f.Close()
		}
		unix.Setrlimit(unix.RLIMIT_NOFILE, &old)
		// Everything works again.
		name := relChildName("nofile")
		f, err := relCreate(dir, name, 0o600)
		c.check(err == nil, dir+" create after closing", "%v", err)
		if err == nil {
			f.Close()
			relRemove(dir, name)
		}
	}
}

func relCheckFullTmpfs(c *relChild) {
	const tmpfsSize = 1 << 20 // mounted by the parent at /dev/shm
	// A new segment bigger than the file system: the open fails and removes
	// what it created.
	name := relChildName("big")
	f, err := OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 2*tmpfsSize)
	if err == nil {
		// ftruncate makes a sparse file; only writes need pages.
		c.okf("a sparse segment larger than tmpfs opens")
		_, werr := f.WriteAt(make([]byte, tmpfsSize+tmpfsSize/2), 0)
		c.check(errors.Is(werr, syscall.ENOSPC), "filling a sparse segment past tmpfs", "%v; want ENOSPC", werr)
		f.Close()
		RemoveShm(name)
	} else {
		c.check(errors.Is(err, syscall.ENOSPC), "segment larger than tmpfs", "%v; want ENOSPC", err)
		_, serr := os.Lstat("/dev/shm/" + name[1:])
		c.check(errors.Is(serr, fs.ErrNotExist), "segment larger than tmpfs: nothing half-created", "%v", serr)
	}

	// Growing by writes: ENOSPC at the write that does not fit; what was
	// written before stays.
	name = relChildName("grow")
	f, err = OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 4096)
	if err != nil {
		c.failf("small segment: %v", err)
		return
	}
	defer func() { f.Close(); RemoveShm(name) }()
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i % 251)
	}
	var off int64
	for ; off < 4*tmpfsSize; off += int64(len(chunk)) {
		if _, err = f.WriteAt(chunk, off); err != nil {
			break
		}
	}
	c.check(errors.Is(err, syscall.ENOSPC), "growing a segment past tmpfs", "%v at offset %d; want ENOSPC", err, off)
	got := make([]byte, len(chunk))
	_, rerr := f.ReadAt(got, 0)
	c.check(rerr == nil && string(got) == string(chunk), "data before ENOSPC intact", "%v", rerr)

	// tmpfs is now (nearly) full. Truncate up makes a hole; writing into the
	// hole is ENOSPC, not SIGBUS.
	if size, err := f.Size(); err == nil {
		terr := f.Truncate(size + 4*tmpfsSize)
		if terr == nil {
			_, werr := f.WriteAt(chunk, size+tmpfsSize)
			c.check(errors.Is(werr, syscall.ENOSPC), "writing into a hole on a full tmpfs", "%v; want ENOSPC", werr)
			_, werr = f.Write(chunk)
			c.check(werr == nil || errors.Is(werr, syscall.ENOSPC), "Write on a full tmpfs", "%v", werr)
		} else {
			c.check(errors.Is(terr, syscall.ENOSPC), "truncate up on a full tmpfs", "%v", terr)
		}
	}

	// Fill whatever is left, then a semaphore cannot be made (its 32 bytes
	// need a page) and leaves no temporary file behind.
	filler, err := os.OpenFile("/dev/shm/filler", os.O_RDWR|os.O_CREATE, 0o600)
	if err == nil {
		for {
			if _, err := filler.Write(chunk[:4096]); err != nil {
				break
			}
		}
		defer func() { filler.Close(); os.Remove("/dev/shm/filler") }()
	}
	before := relShmEntries()
	semName := relChildName("sem")
	s, err := OpenSem(semName, os.O_CREATE|os.O_EXCL, 0o600, 1)
	if err == nil {
		s.Close()
		RemoveSem(semName)
	}
	c.check(errors.Is(err, syscall.ENOSPC), "semaphore on a full tmpfs", "%v; want ENOSPC", err)
	after := relShmEntries()
	c.check(fmt.Sprint(before) == fmt.Sprint(after), "semaphore on a full tmpfs: nothing half-created",
		"/dev/shm was %v, now %v", before, after)
}

func TestReliabilityQueuesMaxInPrivateIPCNamespace(t *testing.T) {
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, noRes: true, env: []string{"REL_CHECK=queues-max"},
		setup: "echo 3 > /proc/sys/fs/mqueue/queues_max"})
}

func TestReliabilityQueueAttrAboveMsgMax(t *testing.T) {
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, noRes: true, env: []string{"REL_CHECK=msg-max"},
		setup: "echo 5 > /proc/sys/fs/mqueue/msg_max; echo 256 > /proc/sys/fs/mqueue/msgsize_max"})
}

func TestReliabilityRlimitMsgqueueExhausted(t *testing.T) {
	// RLIMIT_MSGQUEUE is charged per real uid across the machine: a uid of
	// its own starts at zero usage, whatever other tests hold.
	uid := 40000 + os.Getpid()%20000
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, uid: uid, env: []string{"REL_CHECK=rlimit-msgqueue"}})
}

func TestReliabilityRlimitNofileExhausted(t *testing.T) {
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, mntNS: true, env: []string{"REL_CHECK=rlimit-nofile"},
		setup: "mount -t tmpfs -o size=16m,mode=1777 tmpfs /dev/shm"})
}

// TestReliabilityRlimitNofileErrorNamesTheLimit asks more than the test
// above: the EMFILE error of each kind's open says the limit is
// RLIMIT_NOFILE and how to raise it, as the queue limits' errors do.
func TestReliabilityRlimitNofileErrorNamesTheLimit(t *testing.T) {
	relRunChild(t, "rel-limits", relChildOpts{ipcNS: true, mntNS: true, env: []string{"REL_CHECK=rlimit-nofile", "REL_NAME_LIMIT=1"},
		setup: "mount -t tmpfs -o size=16m,mode=1777 tmpfs /dev/shm"})
}

func TestReliabilityFullTmpfs(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoFaultAddress)
	relRunChild(t, "rel-limits", relChildOpts{mntNS: true, env: []string{"REL_CHECK=full-tmpfs"},
		setup: "mount -t tmpfs -o size=1m,mode=1777 tmpfs /dev/shm"})
}
