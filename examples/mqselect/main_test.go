package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestListenerGetsEveryMessageFromEveryQueue(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, 3, 12, 12, time.Minute)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("message queues are not available in this build: %v", err)
	}
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, &out)
	}
	for i := range 12 {
		// Message i goes to queue i%3 at priority i%3.
		want := fmt.Sprintf("-%d: \"message %d\" (priority %d)\n", i%3, i, i%3)
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, want := range []string{"all 12 messages received", "nothing more within 50ms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

func TestListenerGivesUpAtTheDeadline(t *testing.T) {
	var out bytes.Buffer
	// Six awaited, three sent: only the deadline ends the wait.
	err := run(context.Background(), &out, 2, 6, 3, 200*time.Millisecond)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("message queues are not available in this build: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("run = %v, want context.DeadlineExceeded\noutput:\n%s", err, &out)
	}
}
