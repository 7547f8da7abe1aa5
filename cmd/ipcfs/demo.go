// The demo subcommand: posix_ipc's Premise/Conclusion conversation between
// this process and a re-executed copy of itself, over shared memory plus a
// semaphore and over a message queue.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/examples/conversation"
)

// demoCommand is posix_ipc's demo. It always runs on the host (its second
// process could not share an in-memory namespace), handles Ctrl-C itself
// (it removes what it created) and exits 130 when interrupted.
var demoCommand = &command{
	name:    "demo",
	args:    "[--iterations N] [--transport shm|mq|all] [--json]",
	summary: "run posix_ipc's Premise/Conclusion conversation with a copy of itself",
	help: `
Runs posix_ipc's Mrs. Premise / Mrs. Conclusion conversation between this
process and a copy of itself: each side answers with the MD5 digest of what
it read, and checks every answer. Shows the round trips per second of each
transport and checks that everything the demo created is gone at the end.
Ctrl-C stops it and removes what it created. Objects left by a demo that was
killed are removed by the next one: each demo holds a lock (flock) on its
shm/ipcfs-demo-...-lock for as long as it runs, and objects are stale only
when their demo's lock can be taken, which no other process, in any PID
namespace, can fake.`,
	flags: func(fl *flag.FlagSet) any {
		o := &demoOptions{}
		fl.IntVar(&o.iterations, "iterations", 2000, "`N` round trips per transport")
		fl.StringVar(&o.transport, "transport", "all", "the conversation to run, `shm|mq|all`: shm (shared memory + semaphore), mq (message queue) or both")
		fl.BoolVar(&o.json, "json", false, "print the summary as JSON and no progress")
		return o
	},
	run: runDemoCommand,
}

type demoOptions struct {
	iterations int
	transport  string
	json       bool
}

// demoResult is what the demo measured for one transport; it is also the
// --json output's per-transport object.
type demoResult struct {
	Transport        string   `json:"transport"`
	Objects          []string `json:"objects"`
	RoundTrips       int      `json:"round_trips"`
	Seconds          float64  `json:"seconds"` // from the first verified round trip to the last
	RoundTripsPerSec float64  `json:"round_trips_per_second"`
	Verified         bool     `json:"verified"`
	Removed          bool     `json:"removed"`
	Error            string   `json:"error,omitempty"`
	interrupted      bool
}

// demoReport is the --json output.
type demoReport struct {
	Version      string       `json:"version"`
	Iterations   int          `json:"iterations"`
	Transports   []demoResult `json:"transports"`
	StaleRemoved []string     `json:"stale_removed"`
	Interrupted  bool         `json:"interrupted"`
	OK           bool         `json:"ok"`
}

// runDemo runs `ipcfs demo` with args (the arguments after "demo") and
// returns the exit status: 0 when every round trip was verified and every
// object removed, 1 on a failure, 2 on bad usage, 130 when interrupted
// (SIGINT or SIGTERM, or ctx ending).
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, append([]string{"demo"}, args...), nil, stdout, stderr, ipcfs.New())
}

func runDemoCommand(e *env, opts any, args []string) error {
	o := opts.(*demoOptions)
	var transports []string
	switch o.transport {
	case "shm", "mq":
		transports = []string{o.transport}
	case "all":
		transports = []string{"shm", "mq"}
	default:
		return usagef("--transport must be shm, mq or all, not %q", o.transport)
	}
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if o.iterations < 1 {
		return usagef("--iterations must be at least 1")
	}
	e.ownSignals.Store(true)
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first Ctrl-C cleans up; a second one kills the default way.
		<-ctx.Done()
		stop()
	}()
	ns := ipcfs.New()
	base := demoBaseName()
	// The lock comes first: this run's objects exist only while it is held.
	lock, err := demoAcquireLock(base)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer lock.release()
	report := demoReport{Version: ipcfs.Version(), Iterations: o.iterations, StaleRemoved: demoRemoveStale(ns, base)}
	progress := demoNewProgress(e.stdout, o.json)
	if len(report.StaleRemoved) > 0 {
		progress.linef("removed %d objects left by a demo that was killed: %s", len(report.StaleRemoved), strings.Join(report.StaleRemoved, " "))
	}
	report.OK = true
	for _, tr := range transports {
		res := demoRunTransport(ctx, ns, tr, demoParams("/"+base, o.iterations), progress)
		report.Transports = append(report.Transports, res)
		if res.Error != "" || !res.Removed || !res.Verified {
			report.OK = false
		}
		if ctx.Err() != nil || res.interrupted {
			report.Interrupted = true
			break
		}
	}
	if err := lock.release(); err != nil {
		report.OK = false
		fmt.Fprintf(e.stderr, "ipcfs demo: %v\n", err)
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(report)
	} else {
		demoPrintSummary(e.stdout, report)
	}
	switch {
	case report.Interrupted:
		return &exitStatus{exitInterrupted}
	case !report.OK:
		return &exitStatus{exitError}
	}
	return nil
}

// demoParams returns the conversation's parameters for this run's names.
func demoParams(base string, iterations int) conversation.Params {
	p := conversation.DefaultParams()
	p.Iterations = iterations
	p.SharedMemoryName, p.SemaphoreName, p.MessageQueueName = base+"-shm", base+"-sem", base+"-mq"
	return p
}

// demoTransportLabel names a transport in output.
func demoTransportLabel(tr string) string {
	if tr == "shm" {
		return "shm+sem"
	}
	return tr
}

// demoRunTransport runs one conversation: Premise in this process, which
// creates and at the end removes the objects, and Conclusion in a child.
func demoRunTransport(ctx context.Context, ns ipcfs.Namespace, tr string, p conversation.Params, progress *demoProgress) demoResult {
	res := demoResult{Transport: tr}
	res.Objects, _ = conversation.Objects(p, tr)
	premise := conversation.ShmPremise
	if tr == "mq" {
		premise = conversation.MqPremise
	}
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var first time.Time
	var child *demoChild
	bar := progress.start(demoTransportLabel(tr), p.Iterations)
	opts := conversation.Options{
		Namespace: ns,
		Created: func() {
			var err error
			child, err = demoStartConclusion(ctx, tr, p)
			if err != nil {
				cancel(err)
				return
			}
			bar.running(child.cmd.Process.Pid, res.Objects)
			go func() {
				// A conclusion that dies early must not leave Premise waiting.
				<-child.done
				if child.err != nil {
					cancel(fmt.Errorf("conclusion (pid %d): %w%s", child.cmd.Process.Pid, child.err, child.stderrTail()))
				}
			}()
		},
		Progress: func(n int) {
			// Time from the first verified round trip, so that starting the
			// conclusion process is not counted.
			if n == 1 {
				first = time.Now()
			}
			bar.set(n)
		},
	}
	err := premise(ctx, p, opts)
	end := time.Now()
	if child != nil {
		if err != nil {
			child.cmd.Process.Kill()
		}
		<-child.done
		if err == nil && child.err != nil {
			err = fmt.Errorf("conclusion (pid %d): %w%s", child.cmd.Process.Pid, child.err, child.stderrTail())
		}
	}
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	// Ctrl-C on a terminal signals both processes: whichever notices first,
	// it is an interruption, not a failure.
	if err != nil && (parent.Err() != nil || child != nil && demoInterruptedExit(child.cmd.ProcessState)) {
		err = errors.New("interrupted")
		res.interrupted = true
	}
	bar.finish(err)
	if err != nil {
		res.Error = err.Error()
	} else {
		res.Verified = true
		res.RoundTrips = p.Iterations
		res.Seconds = end.Sub(first).Seconds()
		if p.Iterations > 1 && res.Seconds > 0 {
			res.RoundTripsPerSec = float64(p.Iterations-1) / res.Seconds
		}
	}
	if rerr := conversation.CheckRemoved(ns, p, tr); rerr != nil {
		res.Error = strings.TrimPrefix(res.Error+"; ", "; ") + rerr.Error()
	} else {
		res.Removed = true
	}
	return res
}

// demoPrintSummary prints the human summary of report.
func demoPrintSummary(w io.Writer, r demoReport) {
	fmt.Fprintln(w)
	for _, res := range r.Transports {
		label := demoTransportLabel(res.Transport)
		if res.Verified {
			fmt.Fprintf(w, "%-8s %d round trips, every digest verified, in %.3fs: %.0f round trips/s\n",
				label, res.RoundTrips, res.Seconds, res.RoundTripsPerSec)
		} else {
			fmt.Fprintf(w, "%-8s FAILED: %s\n", label, res.Error)
		}
		if res.Removed {
			fmt.Fprintf(w, "%-8s removed %s (checked: gone)\n", "", strings.Join(res.Objects, ", "))
		}
	}
	switch {
	case r.Interrupted:
		fmt.Fprintln(w, "interrupted")
	case r.OK:
		fmt.Fprintln(w, "ok: nothing left behind")
	default:
		// Worth a bug report: say what was running.
		fmt.Fprintln(w, versionLine())
	}
}
