package conversation

import (
	"strings"
	"testing"
)

func TestParseParamsReadsPosixIpcDemoFile(t *testing.T) {
	// posix_ipc's demos/demo1/params.txt, plus demo2's queue name.
	const text = `# These parameters control how Mrs. Premise and Mrs. Conclusion behave.

# PERMISSIONS are in octal (note the leading 0).
ITERATIONS=1000
LIVE_DANGEROUSLY=0
SEMAPHORE_NAME=/wuthering_heights
SHARED_MEMORY_NAME=/four_yorkshiremen
MESSAGE_QUEUE_NAME=/my_message_queue
PERMISSIONS=0600
SHM_SIZE=4096


`
	p, err := ParseParams(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultParams(); p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
}

func TestParseParamsOverridesDefaults(t *testing.T) {
	tests := []struct {
		name string
		text string
		want func(*Params)
	}{
		{"iterations", "ITERATIONS=7", func(p *Params) { p.Iterations = 7 }},
		{"lower-case key and spaces", "  iterations = 9 ", func(p *Params) { p.Iterations = 9 }},
		{"live dangerously", "LIVE_DANGEROUSLY=1", func(p *Params) { p.LiveDangerously = true }},
		{"octal permissions", "PERMISSIONS=0644", func(p *Params) { p.Permissions = 0o644 }},
		{"permissions without leading zero are still octal", "PERMISSIONS=666", func(p *Params) { p.Permissions = 0o666 }},
		{"names kept as written", "SEMAPHORE_NAME=/a\nSHARED_MEMORY_NAME=b\nMESSAGE_QUEUE_NAME=/c", func(p *Params) {
			p.SemaphoreName, p.SharedMemoryName, p.MessageQueueName = "/a", "b", "/c"
		}},
		{"size", "SHM_SIZE=128", func(p *Params) { p.ShmSize = 128 }},
		{"unknown keys ignored", "FAVOURITE_COLOUR=blue", func(*Params) {}},
		{"comment and blank lines", "# ITERATIONS=5\n\n", func(*Params) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseParams(strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultParams()
			tt.want(&want)
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseParamsRejectsBadInput(t *testing.T) {
	tests := []struct{ name, text, wantInErr string }{
		{"no equals sign", "ITERATIONS 5", "line 1"},
		{"iterations not a number", "\nITERATIONS=many", "line 2: ITERATIONS"},
		{"permissions not octal", "PERMISSIONS=0689", "PERMISSIONS"},
		{"permissions too large", "PERMISSIONS=01777", "PERMISSIONS"},
		{"zero iterations", "ITERATIONS=0", "ITERATIONS must be at least 1"},
		{"tiny segment", "SHM_SIZE=10", "SHM_SIZE must be at least"},
		{"owner cannot write", "PERMISSIONS=0400", "owner read and write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseParams(strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("ParseParams(%q) = %v, want an error containing %q", tt.text, err, tt.wantInErr)
			}
		})
	}
}

func TestParamsStringRoundTrips(t *testing.T) {
	p := Params{Iterations: 42, LiveDangerously: true, SemaphoreName: "/s", SharedMemoryName: "/m",
		MessageQueueName: "/q", Permissions: 0o640, ShmSize: 1024}
	got, err := ParseParams(strings.NewReader(p.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got != p {
		t.Errorf("round trip of\n%s gave %+v, want %+v", p, got, p)
	}
}

func TestDigestIsMD5Hex(t *testing.T) {
	// md5 -s "" and md5 -s "abc".
	for in, want := range map[string]string{
		"":    "d41d8cd98f00b204e9800998ecf8427e",
		"abc": "900150983cd24fb0d6963f7d28e17f72",
	} {
		if got := Digest(in); got != want {
			t.Errorf("Digest(%q) = %s, want %s", in, got, want)
		}
	}
}
