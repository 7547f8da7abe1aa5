package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/fstest"
)

// fakeHost is a host with known limits: 800K of RLIMIT_MSGQUEUE, a 1 GiB
// /dev/shm with 8 KiB used.
func fakeHost() *hostFacts {
	return &hostFacts{
		mqLimits: func() (ipcfs.MqLimits, error) {
			return ipcfs.MqLimits{QueuesLimit: 256, MaxMessagesLimit: 10, MessageSizeLimit: 8192, DefaultMaxMessages: 10, DefaultMessageSize: 8192, BytesLimit: 819200}, nil
		},
		rlimit:       func() (uint64, uint64, error) { return 819200, rlimitInfinity, nil },
		shmUsage:     func() (diskUsage, error) { return diskUsage{size: 1 << 30, used: 8192, available: 1<<30 - 8192}, nil },
		ipcNamespace: func() string { return "ipc:[4026531839]" },
		uid:          func() int { return 1000 },
	}
}

func runLimitsOn(t *testing.T, ns ipcfs.Namespace, host *hostFacts, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	e := newEnv(context.Background(), nil, &out, &errOut, ns)
	e.host = host
	if code := e.run(append([]string{"limits"}, args...)); code != 0 {
		t.Fatalf("limits %q: exit %d, stderr %q", args, code, errOut.String())
	}
	return out.String()
}

// TestLimitsEstimatesQueueUse: the estimate is what the kernel charges for
// each visible queue (capacity x size + 96 bytes a message), the limits are
// the host's, and the text says it is an estimate and of which namespace.
func TestLimitsEstimatesQueueUse(t *testing.T) {
	ns := fstest.NewMemFS()
	mustRun(t, ns, "", "mk", "mq/a", "--max-messages", "4", "--message-size", "128")
	mustRun(t, ns, "", "mk", "mq/b", "--max-messages", "10", "--message-size", "8k")
	mustRun(t, ns, "", "mk", "shm/s", "--size", "3000")
	mustRun(t, ns, "", "mk", "sem/x")
	const used = 4*128 + 4*96 + 10*8192 + 10*96 // 83776
	var r limitsReport
	if err := json.Unmarshal([]byte(runLimitsOn(t, ns, fakeHost(), "--json")), &r); err != nil {
		t.Fatal(err)
	}
	m := r.Mq
	if m == nil || m.QueuesMax != 256 || m.MsgMax != 10 || m.MsgsizeMax != 8192 || m.MsgDefault != 10 || m.MsgsizeDefault != 8192 ||
		m.RlimitMsgqueue != 819200 || m.RlimitMsgqueueMax != -1 || m.UID != 1000 || m.IPCNamespace != "ipc:[4026531839]" {
		t.Fatalf("mq report %+v", m)
	}
	if m.Queues == nil || *m.Queues != 2 || m.OwnQueues == nil || *m.OwnQueues != 2 || m.UsedEstimate == nil || *m.UsedEstimate != used {
		t.Errorf("queues %v, own %v, estimate %v; want 2, 2, %d", m.Queues, m.OwnQueues, m.UsedEstimate, used)
	}
	if !strings.Contains(m.EstimateNote, "other IPC namespaces") {
		t.Errorf("estimate_note %q does not say what it misses", m.EstimateNote)
	}
	if s := r.Shm; s == nil || s.Size != 1<<30 || s.Used != 8192 || s.Segments != 1 || s.SegmentBytes != 3000 || s.Semaphores != 1 || s.Dir != "/dev/shm" {
		t.Errorf("shm report %+v", r.Shm)
	}
	if r.Version != ipcfs.Version() {
		t.Errorf("version %q", r.Version)
	}

	text := runLimitsOn(t, ns, fakeHost())
	for _, want := range []string{
		"IPC namespace ipc:[4026531839]",
		"queues_max       256",
		"RLIMIT_MSGQUEUE  800K",
		"(hard limit unlimited)",
		"used (estimate)  81.8K  by the 2 queues uid 1000 owns in this namespace's /dev/mqueue, 10% of the limit",
		"1 segment (2.9K), 1 semaphore",
		versionLine(),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("limits lacks %q:\n%s", want, text)
		}
	}
	if !regexp.MustCompile(`\n  size +1G\n  used +8K \(0%\)\n`).MatchString(text) {
		t.Errorf("limits does not show the size and use of /dev/shm:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("line %q ends in spaces", line)
		}
	}
	if exact := runLimitsOn(t, ns, fakeHost(), "-b"); !strings.Contains(exact, "used (estimate)  "+strconv.Itoa(used)+" ") {
		t.Errorf("limits -b:\n%s", exact)
	}
}

func TestLimitsWithoutQueues(t *testing.T) {
	ns := fstest.NewMemFS(fstest.MqueueUnmounted())
	host := fakeHost()
	text := runLimitsOn(t, ns, host)
	if !regexp.MustCompile(`used \(estimate\) +\? +unknown: the mqueue file system is not mounted`).MatchString(text) {
		t.Errorf("limits without /dev/mqueue:\n%s", text)
	}
	host.mqLimits = func() (ipcfs.MqLimits, error) { return ipcfs.MqLimits{}, errors.ErrUnsupported }
	var r map[string]any
	if err := json.Unmarshal([]byte(runLimitsOn(t, ns, host, "--json")), &r); err != nil || r["mq"] != nil || r["mq_error"] == nil || r["shm"] == nil {
		t.Errorf("limits --json without queues: %v, %v", r, err)
	}
}

// TestLimitsOnThisHost reads the real limits: they agree with /proc.
func TestLimitsOnThisHost(t *testing.T) {
	want, err := os.ReadFile("/proc/sys/fs/mqueue/queues_max")
	if err != nil {
		t.Skipf("no queue limits here: %v", err)
	}
	var r limitsReport
	if err := json.Unmarshal([]byte(mustRun(t, ipcfs.New(), "", "limits", "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Mq == nil || strconv.FormatInt(r.Mq.QueuesMax, 10) != strings.TrimSpace(string(want)) || r.Mq.UID != os.Getuid() {
		t.Errorf("limits --json mq = %+v; queues_max in /proc is %s", r.Mq, want)
	}
	if r.Shm == nil || r.Shm.Size == 0 || r.Shm.Used > r.Shm.Size {
		t.Errorf("limits --json shm = %+v", r.Shm)
	}
}
