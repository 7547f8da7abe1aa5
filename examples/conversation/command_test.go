package conversation

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMainReportsBadUsageAndMissingParams(t *testing.T) {
	never := func(context.Context, Params, Options) error {
		t.Error("the speaker ran")
		return nil
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("ITERATIONS=lots\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantInErr string
	}{
		{"unknown flag", []string{"-x"}, 2, "usage: prog"},
		{"extra argument", []string{"now"}, 2, "usage: prog"},
		{"missing params file", []string{"-params", filepath.Join(dir, "none.txt")}, 1, "none.txt"},
		{"bad params file", []string{"-params", bad}, 1, "bad.txt: params line 1: ITERATIONS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Main("prog", never, tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(stderr.String(), tt.wantInErr) {
				t.Errorf("stderr %q lacks %q", &stderr, tt.wantInErr)
			}
		})
	}
}

func TestMainPassesParamsAndReportsTheSpeakersError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.txt")
	if err := os.WriteFile(path, []byte("ITERATIONS=3\nSEMAPHORE_NAME=/s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got Params
	speaker := func(_ context.Context, p Params, o Options) error {
		got = p
		o.Say("prog", "hello")
		return ErrCorrupt
	}
	var stdout, stderr bytes.Buffer
	if code := Main("prog", speaker, []string{"-params", path}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if got.Iterations != 3 || got.SemaphoreName != "/s" {
		t.Errorf("speaker got %+v", got)
	}
	if !strings.Contains(stdout.String(), "prog@") || !strings.Contains(stderr.String(), "prog: conversation corrupted") {
		t.Errorf("stdout %q, stderr %q", &stdout, &stderr)
	}
	stdout.Reset()
	Main("prog", speaker, []string{"-q", "-params", path}, &stdout, &stderr)
	if stdout.Len() != 0 {
		t.Errorf("-q printed %q", &stdout)
	}
}
