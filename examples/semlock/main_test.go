package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParentAndChildrenShareTheLock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := parent(ctx, &out, 3, 200)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("semaphores are not available in this build: %v", err)
	}
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, &out)
	}
	for _, want := range []string{"counter = 600, want 3 children x 200 rounds = 600", "no update lost"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
	if n := strings.Count(out.String(), "took the lock 200 times"); n != 3 {
		t.Errorf("%d children reported, want 3:\n%s", n, &out)
	}
}
