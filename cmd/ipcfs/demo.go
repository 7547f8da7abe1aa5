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

// demoUsage is the demo's help text.
const demoUsage = `usage: ipcfs demo [--iterations N] [--transport shm|mq|all] [--json]

Runs posix_ipc's Mrs. Premise / Mrs. Conclusion conversation between this
process and a copy of itself: each side answers with the MD5 digest of what
it read, and checks every answer. Shows the round trips per second of each
transport and checks that everything the demo created is gone at the end.
Ctrl-C stops it and removes what it created.

`

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
	flags := flag.NewFlagSet("demo", flag.ContinueOnError)
	flags.SetOutput(stderr)
	iterations := flags.Int("iterations", 2000, "round trips per transport")
	transport := flags.String("transport", "all", "the conversation to run: shm (shared memory + semaphore), mq (message queue) or all")
	asJSON := flags.Bool("json", false, "print the summary as JSON and no progress")
	flags.Usage = func() {
		fmt.Fprint(stderr, demoUsage)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var transports []string
	switch *transport {
	case "shm", "mq":
		transports = []string{*transport}
	case "all":
		transports = []string{"shm", "mq"}
	default:
		fmt.Fprintf(stderr, "ipcfs demo: --transport must be shm, mq or all, not %q\n", *transport)
		return 2
	}
	if flags.NArg() > 0 || *iterations < 1 {
		flags.Usage()
		return 2
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first Ctrl-C cleans up; a second one kills the default way.
		<-ctx.Done()
		stop()
	}()
	ns := ipcfs.New()
	report := demoReport{Iterations: *iterations, StaleRemoved: demoRemoveStale(ns)}
	progress := demoNewProgress(stdout, *asJSON)
	if len(report.StaleRemoved) > 0 {
		progress.linef("removed %d objects left by an interrupted demo: %s", len(report.StaleRemoved), strings.Join(report.StaleRemoved, " "))
	}
	base := demoBaseName()
	report.OK = true
	for _, tr := range transports {
		res := demoRunTransport(ctx, ns, tr, demoParams(base, *iterations), progress)
		report.Transports = append(report.Transports, res)
		if res.Error != "" || !res.Removed || !res.Verified {
			report.OK = false
		}
		if ctx.Err() != nil || res.interrupted {
			report.Interrupted = true
			break
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(report)
	} else {
		demoPrintSummary(stdout, report)
	}
	switch {
	case report.Interrupted:
		return 130
	case !report.OK:
		return 1
	}
	return 0
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
	}
}
