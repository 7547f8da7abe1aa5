package main

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ipcfs/ipcfs/internal/kind"
)

func TestDisplayNameQuotesWhatItMust(t *testing.T) {
	tests := []struct{ name, want string }{
		{"plain-name.1", "plain-name.1"},
		{"héllo wörld", "héllo wörld"},
		{"a b", "a b"},
		{"\x1b[31mred", `"\x1b[31mred"`},
		{"line\nforged", `"line\nforged"`},
		{"cr\rover", `"cr\rover"`},
		{"\x1b]0;title\x07", `"\x1b]0;title\a"`},
		{"rtl\u202eevil", `"rtl\u202eevil"`},
		{"c1\u009b", `"c1\u009b"`},
		{"del\x7f", `"del\x7f"`},
		{"job-\xff", `"job-\xff"`},
		{"a*b", `"a*b"`},
		{"a?b", `"a?b"`},
		{"a[b", `"a[b"`},
		{`a\b`, `"a\\b"`},
		{`"quoted"`, `"\"quoted\""`},
		{`mid"quote`, `mid"quote`},
		{"\ufffd", `"�"`},
	}
	for _, tt := range tests {
		if got := displayName(tt.name); got != tt.want {
			t.Errorf("displayName(%q) = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestDisplayTextEscapesOnlyWhatIsNotPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{`shm/x: no such object`, `shm/x: no such object`},
		{`C:\path "q"`, `C:\path "q"`},
		{"a\x1b[2Jb\nc\td\xffe\u2028", `a\x1b[2Jb\nc\td\xffe\u2028`},
	}
	for _, tt := range tests {
		if got := displayText(tt.in); got != tt.want {
			t.Errorf("displayText(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEscapeMessageIsOneLineAndReversible(t *testing.T) {
	for _, msg := range []string{"", "plain", "two\nlines", `back\slash`, `literal \n`, "\x00\x1b[1m\r\xff\xfe", "tab\tend\n", `"quotes"`} {
		got := string(escapeMessage([]byte(msg)))
		if strings.ContainsAny(got, "\n\r\x1b\x00") || !utf8.ValidString(got) {
			t.Errorf("escapeMessage(%q) = %q: not one printable line", msg, got)
		}
		back, err := strconv.Unquote(`"` + strings.ReplaceAll(got, `"`, `\"`) + `"`)
		if err != nil || back != msg {
			t.Errorf("escapeMessage(%q) = %q, which unquotes to %q, %v", msg, got, back, err)
		}
	}
	if a, b := escapeMessage([]byte("a\nb")), escapeMessage([]byte(`a\nb`)); string(a) == string(b) {
		t.Errorf("a newline and a backslash-n print the same: %q", a)
	}
}

// FuzzDisplayNameRoundTrip: whatever bytes a name holds, the form the tool
// prints is printable, one line, and parses back to exactly that name.
func FuzzDisplayNameRoundTrip(f *testing.F) {
	for _, s := range []string{"x", "a b", "\x1b[31m", "\xff", `"`, `"x"`, "a*", `\`, "\u202e", "é", "sem.x", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, k := range kind.All {
			if n, err := k.Clean(name); err != nil || n != name {
				continue // not a name of k (or one with a leading slash)
			}
			shown := displayName(name)
			if !isPrintable(shown) {
				t.Fatalf("displayName(%q) = %q holds bytes that are not printable", name, shown)
			}
			obj, err := parseObject(k.Dir+"/"+shown, k)
			if err != nil || obj.name != name || obj.kind != k {
				t.Fatalf("parseObject(%q) = %v, %v; want %s/%q", k.Dir+"/"+shown, obj, err, k.Dir, name)
			}
		}
	})
}
