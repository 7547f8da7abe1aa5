package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/ipcfs/ipcfs/examples/conversation"
)

// The demo's second process is this same binary, re-executed with these
// environment variables set; demoPeerInit notices them before main runs.
const (
	demoPeerEnv   = "IPCFS_DEMO_PEER"   // "shm" or "mq": run that conclusion
	demoParamsEnv = "IPCFS_DEMO_PARAMS" // the conversation's params.txt text
)

func init() { demoPeerInit() }

// demoPeerInit runs the demo's conclusion and exits when this process was
// started as one (demoPeerEnv set); otherwise it returns at once.
func demoPeerInit() {
	tr := os.Getenv(demoPeerEnv)
	if tr == "" {
		return
	}
	os.Exit(demoPeerMain(tr, os.Getenv(demoParamsEnv)))
}

func demoPeerMain(tr, paramsText string) int {
	p, err := conversation.ParseParams(strings.NewReader(paramsText))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ipcfs demo conclusion: %v\n", err)
		return 2
	}
	conclude := conversation.ShmConclusion
	if tr == "mq" {
		conclude = conversation.MqConclusion
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := conclude(ctx, p, conversation.Options{}); err != nil {
		if ctx.Err() != nil {
			return 130
		}
		fmt.Fprintf(os.Stderr, "ipcfs demo conclusion: %v\n", err)
		return 1
	}
	return 0
}

// demoChild is the running conclusion.
type demoChild struct {
	cmd    *exec.Cmd
	stderr demoTail
	done   chan struct{}
	err    error
}

// demoStartConclusion starts this binary again as the conclusion for
// transport tr. The child dies with this process (see demoSysProcAttr) and
// is killed when ctx ends.
func demoStartConclusion(ctx context.Context, tr string, p conversation.Params) (*demoChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program to start the conclusion: %w", err)
	}
	c := &demoChild{done: make(chan struct{})}
	c.cmd = exec.CommandContext(ctx, exe)
	c.cmd.Env = append(os.Environ(), demoPeerEnv+"="+tr, demoParamsEnv+"="+p.String())
	c.cmd.Stderr = &c.stderr
	c.cmd.SysProcAttr = demoSysProcAttr()
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the conclusion: %w", err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	return c, nil
}

// stderrTail returns the end of what the child wrote to stderr, for errors.
func (c *demoChild) stderrTail() string {
	if s := strings.TrimSpace(c.stderr.String()); s != "" {
		return ": " + s
	}
	return ""
}

// demoTail keeps the last 2 KiB written to it; safe for concurrent use.
type demoTail struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *demoTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if extra := t.buf.Len() - 2048; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *demoTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
