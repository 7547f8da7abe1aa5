package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
)

var limitsCommand = &command{
	name:    "limits",
	args:    "[-b|--bytes] [--json]",
	summary: "show the host's IPC limits and how much is used, as lsipc does",
	help: `
Message queues: the limits of this IPC namespace (/proc/sys/fs/mqueue),
RLIMIT_MSGQUEUE, and an estimate of how much of it this user has used. The
kernel keeps that count per user across every IPC namespace and shows it
nowhere: the estimate adds up what the kernel charges (capacity x message
size, plus 96 bytes per message) for the queues this user owns that can be
seen in this namespace's /dev/mqueue. Queues in other IPC namespaces, and
queues created by this user but given to another (chown), are not seen.
Shared memory: the size and use of /dev/shm (segments and semaphores are
files there), and what the objects in it hold.`,
	flags: func(fl *flag.FlagSet) any {
		o := new(limitsOptions)
		fl.BoolVar(&o.bytes, "b", false, "sizes in exact bytes (same as --bytes)")
		fl.BoolVar(&o.bytes, "bytes", false, "sizes in exact bytes")
		fl.BoolVar(&o.json, "json", false, "print one JSON object (see 'go doc ./cmd/ipcfs')")
		return o
	},
	run: runLimits,
}

type limitsOptions struct{ bytes, json bool }

// hostFacts is where limits reads what it reports; tests give their own.
type hostFacts struct {
	mqLimits     func() (ipcfs.MqLimits, error)
	rlimit       func() (soft, hard uint64, err error) // RLIMIT_MSGQUEUE
	shmUsage     func() (diskUsage, error)             // statfs of /dev/shm
	ipcNamespace func() string                         // "ipc:[4026531839]", or ""
	uid          func() int                            // the real uid, which queues are charged to
}

// diskUsage is a file system's size and use, in bytes.
type diskUsage struct{ size, used, available uint64 }

// rlimitInfinity is RLIM_INFINITY.
const rlimitInfinity = ^uint64(0)

// limitsReport is limits --json (the schema is documented in doc.go).
type limitsReport struct {
	Version  string           `json:"version"`
	Mq       *mqLimitsReport  `json:"mq,omitempty"`
	MqError  string           `json:"mq_error,omitempty"`
	Shm      *shmUsageReport  `json:"shm,omitempty"`
	ShmError string           `json:"shm_error,omitempty"`
	own      *mqUsageEstimate // for the text form
}

type mqLimitsReport struct {
	IPCNamespace      string `json:"ipc_namespace,omitempty"`
	QueuesMax         int64  `json:"queues_max"`
	MsgMax            int64  `json:"msg_max"`
	MsgsizeMax        int64  `json:"msgsize_max"`
	MsgDefault        int64  `json:"msg_default"`
	MsgsizeDefault    int64  `json:"msgsize_default"`
	RlimitMsgqueue    int64  `json:"rlimit_msgqueue"`
	RlimitMsgqueueMax int64  `json:"rlimit_msgqueue_max"`
	UID               int    `json:"uid"`
	Queues            *int64 `json:"queues,omitempty"`
	OwnQueues         *int64 `json:"own_queues,omitempty"`
	UsedEstimate      *int64 `json:"used_estimate,omitempty"`
	UnknownSize       *int64 `json:"own_queues_unknown_size,omitempty"`
	EstimateNote      string `json:"estimate_note"`
}

type shmUsageReport struct {
	Dir          string `json:"dir"`
	Size         uint64 `json:"size"`
	Used         uint64 `json:"used"`
	Available    uint64 `json:"available"`
	Segments     int64  `json:"segments"`
	SegmentBytes int64  `json:"segment_bytes"`
	Semaphores   int64  `json:"semaphores"`
}

// mqUsageEstimate is what the visible queues say about this user's use.
type mqUsageEstimate struct {
	queues, own, unknown, bytes int64
}

func runLimits(e *env, opts any, args []string) error {
	o := opts.(*limitsOptions)
	if len(args) > 0 {
		return usagef("want no arguments")
	}
	r := limitsReport{Version: ipcfs.Version()}
	if mr, own, err := mqReport(e); err != nil {
		r.MqError = cause(err)
	} else {
		r.Mq, r.own = mr, own
	}
	if sr, err := shmReport(e); err != nil {
		r.ShmError = cause(err)
	} else {
		r.Shm = sr
	}
	if o.json {
		return writeJSON(e.stdout, &r)
	}
	return printLimits(e.stdout, &r, o.bytes)
}

// estimateNote says what used_estimate counts.
const estimateNote = "the kernel charges each queue to its creator's uid, across every IPC namespace, and shows the total nowhere: " +
	"this adds up the charge of the queues this uid owns in this IPC namespace's /dev/mqueue; " +
	"queues in other IPC namespaces, or chown'ed to another user, are not counted"

func mqReport(e *env) (*mqLimitsReport, *mqUsageEstimate, error) {
	l, err := e.host.mqLimits()
	if err != nil {
		return nil, nil, err
	}
	soft, hard, err := e.host.rlimit()
	if err != nil {
		return nil, nil, err
	}
	r := &mqLimitsReport{
		IPCNamespace: e.host.ipcNamespace(),
		QueuesMax:    l.QueuesLimit, MsgMax: l.MaxMessagesLimit, MsgsizeMax: l.MessageSizeLimit,
		MsgDefault: l.DefaultMaxMessages, MsgsizeDefault: l.DefaultMessageSize,
		RlimitMsgqueue: rlimitJSON(soft), RlimitMsgqueueMax: rlimitJSON(hard),
		UID:          e.host.uid(),
		EstimateNote: estimateNote,
	}
	est, err := estimateMqUsage(e, r.UID)
	if err != nil {
		r.EstimateNote = "unknown: " + cause(err)
		return r, nil, nil
	}
	r.Queues, r.OwnQueues, r.UsedEstimate = &est.queues, &est.own, &est.bytes
	if est.unknown > 0 {
		r.UnknownSize = &est.unknown
	}
	return r, est, nil
}

// estimateMqUsage adds up the charge of the queues uid owns among those
// e.ns lists. A namespace that reports no owners (the in-memory one, whose
// objects are all this process's user's) has every queue counted.
func estimateMqUsage(e *env, uid int) (*mqUsageEstimate, error) {
	des, err := e.ns.ReadDir(kind.Mq.Dir)
	if err != nil {
		return nil, err
	}
	est := &mqUsageEstimate{queues: int64(len(des))}
	for _, de := range des {
		fi, err := de.Info()
		if err != nil {
			continue
		}
		var info ipcfs.MqInfo
		switch s := fi.Sys().(type) {
		case ipcfs.MqInfo:
			info = s
		case *ipcfs.MqInfo:
			info = *s
		}
		if owner, _, ok := ownerOf(info.Stat); ok && owner != int64(uid) {
			continue
		}
		est.own++
		if info.Attr.MaxMessages <= 0 {
			est.unknown++
			continue
		}
		est.bytes += mq.Cost(info.Attr.MaxMessages, info.Attr.MessageSize)
	}
	return est, nil
}

func shmReport(e *env) (*shmUsageReport, error) {
	u, err := e.host.shmUsage()
	if err != nil {
		return nil, err
	}
	r := &shmUsageReport{Dir: strings.TrimSuffix(kind.ShmDir, "/"), Size: u.size, Used: u.used, Available: u.available}
	if des, err := e.ns.ReadDir(kind.Shm.Dir); err == nil {
		for _, de := range des {
			if fi, err := de.Info(); err == nil {
				r.Segments++
				r.SegmentBytes += fi.Size()
			}
		}
	}
	if des, err := e.ns.ReadDir(kind.Sem.Dir); err == nil {
		r.Semaphores = int64(len(des))
	}
	return r, nil
}

// rlimitJSON is a limit as JSON gives it: -1 for unlimited.
func rlimitJSON(v uint64) int64 {
	if v == rlimitInfinity || v > 1<<62 {
		return -1
	}
	return int64(v)
}

func printLimits(w io.Writer, r *limitsReport, exact bool) error {
	size := func(n int64) string {
		switch {
		case n < 0:
			return "unlimited"
		case exact:
			return strconv.FormatInt(n, 10)
		}
		return humanSize(n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if m := r.Mq; m != nil {
		ns := ""
		if m.IPCNamespace != "" {
			ns = " " + m.IPCNamespace
		}
		fmt.Fprintf(tw, "message queues (IPC namespace%s, /proc/sys/fs/mqueue):\n", ns)
		queues := ""
		if m.Queues != nil {
			queues = fmt.Sprintf(" (%d there now)", *m.Queues)
		}
		fmt.Fprintf(tw, "  queues_max\t%d\tqueues in this IPC namespace%s\n", m.QueuesMax, queues)
		fmt.Fprintf(tw, "  msg_max\t%d\tlargest capacity (mk --max-messages) without CAP_SYS_RESOURCE\n", m.MsgMax)
		fmt.Fprintf(tw, "  msgsize_max\t%s\tlargest message size (mk --message-size) without CAP_SYS_RESOURCE\n", size(m.MsgsizeMax))
		fmt.Fprintf(tw, "  msg_default\t%d\tcapacity of a queue made without attributes\n", m.MsgDefault)
		fmt.Fprintf(tw, "  msgsize_default\t%s\tmessage size of a queue made without attributes\n", size(m.MsgsizeDefault))
		fmt.Fprintf(tw, "  RLIMIT_MSGQUEUE\t%s\tbytes of queues uid %d may have, in all IPC namespaces together (hard limit %s)\n",
			size(m.RlimitMsgqueue), m.UID, size(m.RlimitMsgqueueMax))
		if m.UsedEstimate != nil {
			pct := ""
			if m.RlimitMsgqueue > 0 {
				pct = fmt.Sprintf(", %d%% of the limit", *m.UsedEstimate*100/m.RlimitMsgqueue)
			}
			unknown := ""
			if m.UnknownSize != nil {
				unknown = fmt.Sprintf("; %d more whose size could not be read", *m.UnknownSize)
			}
			fmt.Fprintf(tw, "  used (estimate)\t%s\tby the %s uid %d owns in this namespace's /dev/mqueue%s%s; queues in other IPC namespaces, or given to other users, are not seen\n",
				size(*m.UsedEstimate), plural(*m.OwnQueues-valueOr(m.UnknownSize), "queue"), m.UID, pct, unknown)
		} else {
			fmt.Fprintf(tw, "  used (estimate)\t?\t%s\n", m.EstimateNote)
		}
	} else {
		fmt.Fprintf(tw, "message queues: %s\n", r.MqError)
	}
	if s := r.Shm; s != nil {
		fmt.Fprintf(tw, "shared memory (%s):\n", s.Dir)
		pct := ""
		if s.Size > 0 {
			pct = fmt.Sprintf(" (%d%%)", s.Used*100/s.Size)
		}
		fmt.Fprintf(tw, "  size\t%s\n", size(int64(s.Size)))
		fmt.Fprintf(tw, "  used\t%s%s\n", size(int64(s.Used)), pct)
		fmt.Fprintf(tw, "  available\t%s\n", size(int64(s.Available)))
		fmt.Fprintf(tw, "  objects\t%s (%s), %s\n", plural(s.Segments, "segment"), size(s.SegmentBytes), plural(s.Semaphores, "semaphore"))
	} else {
		fmt.Fprintf(tw, "shared memory: %s\n", r.ShmError)
	}
	fmt.Fprintf(tw, "%s\n", versionLine())
	return tw.Flush()
}

func valueOr(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
