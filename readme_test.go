//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs_test

// The README's code, compiled: each ```go block of README.md is the body of
// an example here (or, for the afero test, mount/readme_test.go), and
// TestREADMESnippetsAreCompiled fails when a block and its compiled copy
// part ways.

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"
)

// The README's "A first example", process A. (Compiled, not run: it needs
// data.bin.)
func ExampleOpenShm_processA() {
	// Process A: create the segment and copy a file into it.
	seg, err := ipcfs.OpenShm("/demo", os.O_RDWR|os.O_CREATE, 0o600, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer seg.Close()
	src, err := os.Open("data.bin")
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	if _, err := io.Copy(seg, src); err != nil { // grows the segment to the file's size
		log.Fatal(err)
	}
}

// The README's "A first example", process B.
func ExampleOpenShm_processB() {
	// Process B: read it back.
	seg, err := ipcfs.OpenShm("/demo", os.O_RDONLY, 0, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer seg.Close()
	if _, err := io.Copy(os.Stdout, seg); err != nil { // straight from the shared pages
		log.Fatal(err)
	}

	// When done: ipcfs.RemoveShm("/demo") (open handles keep working)
}

// The README's "Message queues".
func ExampleOpenMq_jobs() {
	ctx := context.Background()
	q, err := ipcfs.OpenMq("/jobs", os.O_RDWR|os.O_CREATE, 0o600,
		&ipcfs.MqAttr{MaxMessages: 10, MessageSize: 1024})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	if err := q.Send(ctx, []byte("urgent"), 9); err != nil { // priority 0..ipcfs.MqPriorityMax
		log.Fatal(err)
	}
	buf := make([]byte, 1024)           // the queue's message size: any message fits
	n, prio, err := q.Receive(ctx, buf) // highest priority first, FIFO within one
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q at priority %d\n", buf[:n], prio)
}

// TestREADMESnippetsAreCompiled finds every ```go block of README.md in a
// _test.go file of the module (line by line, indentation aside), so that a
// snippet cannot change without its compiled copy, nor rot.
func TestREADMESnippetsAreCompiled(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 4 {
		t.Fatalf("README.md has %d go blocks; want at least the four this test knows", len(blocks))
	}
	var tests []string
	err = filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tests = append(tests, normalizeCode(string(b)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		snippet := normalizeCode(b[1])
		found := false
		for _, src := range tests {
			found = found || strings.Contains(src, snippet)
		}
		if !found {
			t.Errorf("this README snippet is in no _test.go file, so nothing compiles it:\n%s", b[1])
		}
	}
}

// normalizeCode returns code with each line trimmed of surrounding space
// (gofmt alignment included) and blank lines dropped.
func normalizeCode(code string) string {
	var lines []string
	for _, l := range strings.Split(code, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return "\n" + strings.Join(lines, "\n") + "\n"
}

// TestREADMEAndBenchRunAgreeOnTime: the README and bench/run's header give
// bench/run the same duration.
func TestREADMEAndBenchRunAgreeOnTime(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("bench/run")
	if err != nil {
		t.Fatal(err)
	}
	durations := regexp.MustCompile(`(?i)takes ([0-9.]+ to [0-9.]+) minutes on 2 cores: about ([0-9]+) s when idle, ([0-9]+) s measured`)
	flat := func(b []byte) string {
		return strings.Join(strings.Fields(strings.ReplaceAll(string(b), "\n# ", " ")), " ")
	}
	want := durations.FindStringSubmatch(flat(script))
	got := durations.FindStringSubmatch(flat(readme))
	if want == nil || got == nil || want[1] != got[1] || want[2] != got[2] || want[3] != got[3] {
		t.Errorf("bench/run's header says %q, README.md %q; want one duration", want, got)
	}
}
