package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"testing"
)

func TestParseArgsAllowsFlagsAnywhere(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		n       int
		json    bool
		wantErr bool
	}{
		{args: []string{"mq/x"}, pos: []string{"mq/x"}, n: 1},
		{args: []string{"-n", "3", "mq/x"}, pos: []string{"mq/x"}, n: 3},
		{args: []string{"mq/x", "-n", "3", "--json"}, pos: []string{"mq/x"}, n: 3, json: true},
		{args: []string{"a", "--n=4", "b"}, pos: []string{"a", "b"}, n: 4},
		{args: []string{"a", "--", "-n", "5"}, pos: []string{"a", "-n", "5"}, n: 1},
		{args: []string{"-", "a"}, pos: []string{"-", "a"}, n: 1},
		{args: []string{"--json", "--", "--json"}, pos: []string{"--json"}, n: 1, json: true},
		{args: []string{"a", "-n"}, wantErr: true},
		{args: []string{"a", "-n", "x"}, wantErr: true},
		{args: []string{"--bogus", "a"}, wantErr: true},
		{args: []string{"--json=maybe"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			fl := flag.NewFlagSet("test", flag.ContinueOnError)
			fl.SetOutput(devNull{})
			n := fl.Int("n", 1, "")
			js := fl.Bool("json", false, "")
			pos, err := parseArgs(fl, tt.args)
			if tt.wantErr {
				var u *usageError
				if !errors.As(err, &u) {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.pos) || *n != tt.n || *js != tt.json {
				t.Errorf("got pos %q n %d json %v, want %q %d %v", pos, *n, *js, tt.pos, tt.n, tt.json)
			}
		})
	}
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

func TestParseArgsHelpIsErrHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		fl := flag.NewFlagSet("test", flag.ContinueOnError)
		fl.SetOutput(devNull{})
		if _, err := parseArgs(fl, []string{"x", arg}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: err = %v, want flag.ErrHelp", arg, err)
		}
	}
}
