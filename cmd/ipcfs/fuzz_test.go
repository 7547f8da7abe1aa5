package main

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/fstest"
)

// FuzzParseSize: any text is either refused or gives a non-negative size
// that prints back to the same value; never a panic or an overflow.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "4096", "1k", "3M", "2g", "-1", "9223372036854775807", "8589934592g", "", "k", "1.5k", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseSize(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("parseSize(%q) = %d; want >= 0", s, v)
		}
		if back, err := parseSize(strconv.FormatInt(v, 10)); err != nil || back != v {
			t.Fatalf("parseSize(%q) = %d, which does not round-trip: %d, %v", s, v, back, err)
		}
	})
}

// FuzzTimeoutFlag: any text is either refused or gives a non-negative
// duration; --timeout 0 and only 0 means "do not wait".
func FuzzTimeoutFlag(f *testing.F) {
	for _, s := range []string{"0", "500ms", "2s", "-1s", "1h2m3s", "9999999999h", "", "1", "0s", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var tf timeoutFlag
		if err := tf.Set(s); err != nil {
			if tf.set {
				t.Fatalf("Set(%q) failed (%v) but marked the flag set", s, err)
			}
			return
		}
		if tf.d < 0 {
			t.Fatalf("Set(%q) accepted a negative duration %v", s, tf.d)
		}
		if tf.nonblocking() != (tf.d == 0) {
			t.Fatalf("Set(%q): nonblocking() = %v with duration %v", s, tf.nonblocking(), tf.d)
		}
	})
}

// fuzzAllocatesMuch reports whether arg (or its part after "=") is a size
// over 16 MiB: the in-memory namespace holds a segment of that size in real
// memory (up to fstest.MaxShmSize, 1 GiB), and zeroing reused heap for one
// took seconds here, a run that Go's fuzzer may take for a hung worker. One
// byte turns the seed's "1k" into "1g". fstest tests sizes up to and past
// MaxShmSize, and args_test.go the parsing of "1g".
func fuzzAllocatesMuch(arg string) bool {
	if _, v, ok := strings.Cut(arg, "="); ok {
		arg = v
	}
	n, err := parseSize(arg)
	return err == nil && n > 16<<20
}

// FuzzRunArguments runs the tool with fuzzed command lines against a fresh
// in-memory namespace (nothing touches the host): whatever the arguments,
// it returns one of the documented exit statuses (0, 1, 2, 3, 130), never
// panics or hangs (blocking commands end with the context) and never writes
// control bytes to stderr. Arguments are the fuzzed text split at newlines.
func FuzzRunArguments(f *testing.F) {
	for _, s := range []string{
		"ls", "ls\n-l\n--json", "mk\nshm/x\n--size\n1k", "mk\nmq/q\n--max-messages\n2\n--message-size\n16",
		"mk\nsem/s\n--value\n3", "send\nmq/q\nhello", "recv\nmq/q\n-n\n2\n--timeout\n1ms", "post\nsem/s\n5",
		"wait\nsem/s\n--timeout\n0", "stat\n--json\nshm/x", "rm\nshm/x\nmq/q", "cat\nshm/../x", "bogus",
		"mk\nshm/x\n--size\n-1", "send\n--priority\n99999\nmq/q\nx", "write\nshm/x", "--help", "", "--json\nls", "-V", "rm\n--all\nshm", "rm\nshm/*", "limits\n--json",
		"stat\nshm/\"\\x1b[2J\"", "mk\nshm/\x1b]0;t\x07", "post\nsem/s\n-1", "lss",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\n")
		if slices.Contains(args, "demo") {
			return // starts processes; has its own tests
		}
		if slices.ContainsFunc(args, fuzzAllocatesMuch) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		ns := fstest.NewMemFS()
		var stdout, stderr bytes.Buffer
		code := run(ctx, args, strings.NewReader("a\nb\n"), &stdout, &stderr, ns)
		switch code {
		case 0, 1, 2, 3, exitInterrupted: // the context ending is an interrupt
		default:
			t.Fatalf("run(%q) = exit %d; want 0, 1, 2, 3 or 130\nstderr: %s", args, code, stderr.String())
		}
		if !isPrintable(strings.ReplaceAll(stderr.String(), "\n", "")) {
			t.Fatalf("run(%q) wrote bytes that are not printable on stderr: %q", args, stderr.String())
		}
		if code != 0 && stderr.Len() == 0 {
			t.Fatalf("run(%q) = exit %d with nothing on stderr", args, code)
		}
	})
}
