package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestEveryKindOfNotificationArrives(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, 3)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("message queues are not available in this build: %v", err)
	}
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, &out)
	}
	// Each section holds one message per notification, in order.
	want := `one-shot, by callback:
  Ding! Message with priority 0 received: message 0
repeating, by callback:
  Ding! Message with priority 0 received: message 0
  Ding! Message with priority 1 received: message 1
  Ding! Message with priority 2 received: message 2
one-shot, by signal:
  signal 35
  Ding! Message with priority 0 received: message 0
repeating, by signal:
  signal 35
  Ding! Message with priority 0 received: message 0
  signal 35
  Ding! Message with priority 1 received: message 1
  signal 35
  Ding! Message with priority 2 received: message 2
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
