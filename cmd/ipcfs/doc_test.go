package main

import (
	"flag"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// docText returns doc.go, the command's documentation.
func docText(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// TestJSONSchemaIsDocumented keeps the package documentation and the JSON
// the tool prints in step: every field of ls/stat entries, recv messages,
// the limits report and the demo report is described in doc.go.
func TestJSONSchemaIsDocumented(t *testing.T) {
	text := docText(t)
	for _, v := range []any{entry{}, received{}, limitsReport{}, mqLimitsReport{}, shmUsageReport{}, demoReport{}, demoResult{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if name == "" {
				continue // not in the JSON
			}
			if !strings.Contains(text, "\n//\t"+name+" ") && !strings.Contains(text, "\n//\t"+name+",") &&
				!strings.Contains(text, "\n//\t"+name+"\n") && !strings.Contains(text, `"`+name+`"`) {
				t.Errorf("JSON field %q of %s is not documented in doc.go", name, typ.Name())
			}
		}
	}
}

// TestUsageIsDocumented: every form of every command, as its usage line
// says it, is in doc.go's usage block, and the block has no other command.
func TestUsageIsDocumented(t *testing.T) {
	text := docText(t)
	for _, c := range commands {
		for _, form := range strings.Split(c.args, "\n") {
			if line := "\n//\tipcfs " + c.name + " " + form + "\n"; !strings.Contains(text, line) {
				t.Errorf("doc.go lacks the usage line %q", strings.TrimSpace(line))
			}
		}
	}
	for _, m := range regexp.MustCompile(`\n//\tipcfs ([a-z]+) `).FindAllStringSubmatch(text, -1) {
		if lookupCommand(m[1]) == nil && m[1] != "help" {
			t.Errorf("doc.go documents %q, which is no command", m[1])
		}
	}
}

// TestHelpAgreesWithUsage: every flag a command's help shows is in its
// usage line written the same way ("--size N", "-l"), and every flag in the
// usage line is one the command takes.
func TestHelpAgreesWithUsage(t *testing.T) {
	flagRE := regexp.MustCompile(`\[?(--?[a-z-]+)(?: ([A-Za-z|]+))?`)
	for _, c := range commands {
		fl, _ := newFlagSet(c)
		fl.VisitAll(func(f *flag.Flag) {
			if isDeprecated(f) {
				return
			}
			want := dashed(f.Name)
			if !isBoolFlag(f) {
				value, _ := flag.UnquoteUsage(f)
				want += " " + value
			}
			args := strings.NewReplacer("[", " ", "\n", " ", "|-", " -").Replace(c.args)
			if !strings.Contains(" "+args+" ", " "+want) {
				t.Errorf("%s: flag %q is not in the usage line %q", c.name, want, c.args)
			}
		})
		for _, m := range flagRE.FindAllStringSubmatch(c.args, -1) {
			if fl.Lookup(strings.TrimLeft(m[1], "-")) == nil {
				t.Errorf("%s: the usage line names %s, which the command does not take", c.name, m[1])
			}
			if len(strings.TrimLeft(m[1], "-")) > 1 && !strings.HasPrefix(m[1], "--") {
				t.Errorf("%s: the usage line writes %s with one dash", c.name, m[1])
			}
		}
		help := mustRun(t, nil, "", "help", c.name)
		if regexp.MustCompile(`\n  -[a-z]{2,}`).MatchString(help) {
			t.Errorf("%s: help writes a long flag with one dash:\n%s", c.name, help)
		}
	}
}

// TestREADMEListsEveryForm: the README's table of commands shows every form
// of every command as its usage line does.
func TestREADMEListsEveryForm(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		for _, form := range strings.Split(c.args, "\n") {
			if want := "`ipcfs " + c.name + " " + strings.ReplaceAll(form, "|", `\|`) + "`"; !strings.Contains(string(readme), want) {
				t.Errorf("README.md lacks %s", want)
			}
		}
	}
}
