package main

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/ipcfs/ipcfs/fstest"
)

// stuckReader is stdin that never delivers: Read reports that it started,
// then blocks until release is closed.
type stuckReader struct {
	once    sync.Once
	started chan struct{}
	release chan struct{}
}

func newStuckReader() *stuckReader {
	return &stuckReader{started: make(chan struct{}), release: make(chan struct{})}
}

func (s *stuckReader) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.started) })
	<-s.release
	return 0, io.EOF
}

func TestCtrlCStopsCommandsReadingStdin(t *testing.T) {
	for _, cmd := range []string{"send", "write"} {
		t.Run(cmd, func(t *testing.T) {
			ns := fstest.NewMemFS()
			var args []string
			if cmd == "send" {
				p := mkQueue(t, ns)
				args = []string{"send", p, "-"}
			} else {
				p := testPath(t, ns, "shm")
				mustRun(t, ns, "", "mk", p, "--size", "1")
				args = []string{"write", p}
			}
			stdin := newStuckReader()
			defer close(stdin.release)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan result)
			go func() {
				var out, errOut bytes.Buffer
				code := run(ctx, args, stdin, &out, &errOut, ns)
				done <- result{code, out.String(), errOut.String()}
			}()
			<-stdin.started
			cancel() // Ctrl-C while the command waits for input
			r := <-done
			want := "ipcfs: " + args[1] + ": interrupted after sending 0 messages\n"
			if cmd == "write" {
				want = "ipcfs: " + args[1] + ": interrupted after writing 0 bytes\n"
			}
			if r.code != exitInterrupted || r.stderr != want {
				t.Errorf("exit %d, stderr %q; want 130, %q", r.code, r.stderr, want)
			}
		})
	}
}

func TestCtxReaderPassesDataThrough(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10_000)
	got, err := io.ReadAll(newCtxReader(context.Background(), bytes.NewReader(data)))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("ReadAll: %d bytes, %v; want the %d bytes", len(got), err, len(data))
	}
}
