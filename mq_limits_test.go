//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

// Tests of the queue limits (mq_limits.go): each limit gives an error that
// names it and how to raise it, still errors.Is the errno, and leaves
// nothing half-created. The children run in private IPC namespaces with
// their own limits, so the host's shared limits are neither consumed nor
// needed.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

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
		{"MaxMessages huge", MqAttr{MaxMessages: 1 << 40, MessageSize: 16}, []string{"msg_max", "hard limit 65536"}},
		{"MessageSize above msgsize_max", MqAttr{MaxMessages: 2, MessageSize: msgsizeMax + 1}, []string{"msgsize_max", "sysctl"}},
		{"MessageSize huge", MqAttr{MaxMessages: 2, MessageSize: 1 << 40}, []string{"msgsize_max", "hard limit 16777216"}},
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

func TestMqLimitErrorsNameTheLimit(t *testing.T) {
	l, err := ReadMqLimits()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		attr  MqAttr
		limit string
	}{
		{MqAttr{MaxMessages: l.MaxMessagesLimit + 1, MessageSize: 8}, "msg_max"},
		{MqAttr{MaxMessages: 1, MessageSize: l.MessageSizeLimit + 1}, "msgsize_max"},
	}
	for _, tt := range tests {
		err := mqOpenErr(uniqueName(t), &tt.attr)
		if err == nil {
			t.Logf("%+v allowed (CAP_SYS_RESOURCE): nothing to check", tt.attr)
			continue
		}
		t.Log(err)
		if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), tt.limit) || !strings.Contains(err.Error(), "sysctl") {
			t.Errorf("OpenMq(%+v): %v; want EINVAL naming %s and how to raise it", tt.attr, err, tt.limit)
		}
	}
	// RLIMIT_MSGQUEUE, in a child process with the limit lowered.
	out, err := childCommand(t, "mq-rlimit", "IPCFS_MQ_NAME="+uniqueName(t)).Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	t.Logf("%s", out)
	if got := string(out); !strings.Contains(got, "EMFILE=true") || !strings.Contains(got, "RLIMIT_MSGQUEUE") {
		t.Errorf("child with RLIMIT_MSGQUEUE=1 got %q; want EMFILE naming RLIMIT_MSGQUEUE", got)
	}
	// queues_max, in a private IPC namespace (needs unshare -i) where it is 0.
	cmd := exec.Command("unshare", append([]string{"-i", "sh", "-c", `echo 0 > /proc/sys/fs/mqueue/queues_max && exec "$@"`, "sh"},
		testenv.Argv(testenv.Executable(), "-test.run=^$")...)...)
	cmd.Env = append(os.Environ(), "IPCFS_TEST_CHILD=mq-enospc", "IPCFS_MQ_NAME="+uniqueName(t))
	out, err = cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Logf("no private IPC namespace here (%v: %s); queues_max error not checked", err, out)
	} else if got := string(out); !strings.Contains(got, "ENOSPC=true") || !strings.Contains(got, "queues_max") {
		t.Errorf("child with queues_max=0 got %q; want ENOSPC naming queues_max", got)
	}
	if mqCost(10, 8192) != 82880 || mqCost(1, 1) != 97 {
		t.Errorf("mqCost does not match the kernel's accounting")
	}
}

// A hint to raise a limit never suggests a value the kernel refuses: past
// the hard limits (msg_max 65536, msgsize_max 16 MiB; linux-ipc.md §7.8) it
// names the hard limit instead (issue 12).
func TestMqLimitHintsNeverSuggestAValueTheKernelRefuses(t *testing.T) {
	l, err := ReadMqLimits()
	if err != nil {
		t.Skip(err)
	}
	for _, c := range []struct {
		attr      MqAttr
		want, not []string
	}{
		{MqAttr{MaxMessages: 1 << 40, MessageSize: 8}, []string{"65536", "hard limit"}, []string{"msg_max=1099511627776"}},
		{MqAttr{MaxMessages: 65537, MessageSize: 8}, []string{"65536", "hard limit"}, []string{"msg_max=65537"}},
		{MqAttr{MaxMessages: 1, MessageSize: 16<<20 + 1}, []string{"16777216", "hard limit"}, []string{"msgsize_max=16777217"}},
		{MqAttr{MaxMessages: 1, MessageSize: 1 << 40}, []string{"16777216", "hard limit"}, []string{"msgsize_max=1099511627776"}},
		{MqAttr{MaxMessages: l.MaxMessagesLimit + 1, MessageSize: 8}, []string{fmt.Sprintf("sysctl fs.mqueue.msg_max=%d", l.MaxMessagesLimit+1)}, nil},
		{MqAttr{MaxMessages: 1, MessageSize: l.MessageSizeLimit + 1}, []string{fmt.Sprintf("sysctl fs.mqueue.msgsize_max=%d", l.MessageSizeLimit+1)}, nil},
	} {
		if c.attr.MaxMessages > 65536 && l.MaxMessagesLimit+1 > 65536 || c.attr.MessageSize > 16<<20 && l.MessageSizeLimit+1 > 16<<20 {
			continue // limits at their hard maximum: the last two cases are the first ones
		}
		err := mqExplainOpen(syscall.EINVAL, true, &c.attr)
		if !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%+v: %v; want EINVAL", c.attr, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: %q; want it to say %q", c.attr, err, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(err.Error(), w) {
				t.Errorf("%+v: %q suggests %q, which the kernel refuses", c.attr, err, w)
			}
		}
	}
}

func init() {
	// mq-default-attr: run in a private IPC namespace whose msg_default (3)
	// differs from msg_max (7); create a queue without attributes and print
	// its capacity and posix_ipc's default.
	childRoles["mq-default-attr"] = func() int {
		name := os.Getenv("IPCFS_MQ_NAME")
		q, err := OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, nil)
		if err != nil {
			fmt.Println("open:", err)
			return 1
		}
		defer RemoveMq(name)
		defer q.Close()
		a, err := q.Attr()
		if err != nil {
			fmt.Println("attr:", err)
			return 1
		}
		fmt.Printf("max_messages=%d message_size=%d posix_ipc_default=%d\n", a.MaxMessages, a.MessageSize, MqMaxMessagesDefault())
		return 0
	}
}

// TestOpenMqNilAttrUsesMsgDefault checks what OpenMq's doc says of a nil
// attr: the queue gets the kernel's msg_default (what mq_open(..., NULL)
// gives C), not posix_ipc's default, msg_max. The two differ only where
// they were changed, so the child runs in a private IPC namespace with
// msg_default 3 and msg_max 7.
func TestOpenMqNilAttrUsesMsgDefault(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare (util-linux) for a private IPC namespace")
	}
	script := `echo 7 > /proc/sys/fs/mqueue/msg_max && echo 3 > /proc/sys/fs/mqueue/msg_default && echo 1024 > /proc/sys/fs/mqueue/msgsize_default && exec "$@"`
	// The child is this test binary, through the emulator when there is one.
	args := append([]string{"-i", "sh", "-c", script, "sh"}, testenv.Argv(testenv.Executable(), "-test.run=^$")...)
	cmd := exec.Command("unshare", args...)
	cmd.Env = append(os.Environ(), "IPCFS_TEST_CHILD=mq-default-attr", "IPCFS_MQ_NAME="+uniqueName(t))
	out, err := cmd.CombinedOutput()
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("needs root for a private IPC namespace: %v: %s", err, out)
		}
		t.Fatalf("child in a private IPC namespace: %v: %s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "max_messages=3 message_size=1024 posix_ipc_default=7"; got != want {
		t.Errorf("OpenMq(nil attr) with msg_default 3, msgsize_default 1024, msg_max 7: %q; want %q", got, want)
	}
}
