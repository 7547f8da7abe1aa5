package fstest_test

// Generic consumers of a namespace, on the host and on its twin: an HTTP
// server of a namespace serves status texts and takes nothing; readers that
// start with small buffers stop at a long message and lose nothing.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
)

// forEachNamespace runs f on the host namespace and on a MemFS.
func forEachNamespace(t *testing.T, f func(t *testing.T, ns ipcfs.Namespace)) {
	t.Run("host", func(t *testing.T) {
		ns := ipcfs.New()
		if missing := hostKindsMissing(ns); len(missing) > 0 {
			t.Skipf("the host namespace of this build does not implement %v (errors.ErrUnsupported)", missing)
		}
		f(t, ns)
	})
	t.Run("memfs", func(t *testing.T) { f(t, ipcfstest.NewMemFS()) })
}

var consumerSeq atomic.Int64

// consumerName returns an object name unique to this process and call.
func consumerName() string {
	return fmt.Sprintf("ipcfstest-consumer-%d-%d", os.Getpid(), consumerSeq.Add(1))
}

// mustCreate creates the object dir/NAME with open, and removes it when
// the test ends; it returns NAME.
func mustCreate[F io.Closer](t *testing.T, ns ipcfs.Namespace, dir string, open func(name string) (F, error)) (string, F) {
	t.Helper()
	name := consumerName()
	f, err := open(name)
	if err != nil {
		t.Fatalf("create %s/%s: %v", dir, name, err)
	}
	t.Cleanup(func() {
		f.Close()
		if err := ns.Remove(dir + "/" + name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Remove(%s/%s): %v", dir, name, err)
		}
	})
	return name, f
}

const crex = os.O_RDWR | os.O_CREATE | os.O_EXCL

func TestHTTPFileServerServesStatusAndTakesNothing(t *testing.T) {
	forEachNamespace(t, func(t *testing.T, ns ipcfs.Namespace) {
		attr := &ipcfs.MqAttr{MaxMessages: 4, MessageSize: 64}
		qName, q := mustCreate(t, ns, "mq", func(n string) (ipcfs.Mq, error) { return ns.OpenMq(n, crex, 0o600, attr) })
		emptyName, _ := mustCreate(t, ns, "mq", func(n string) (ipcfs.Mq, error) { return ns.OpenMq(n, crex, 0o600, attr) })
		semName, sem := mustCreate(t, ns, "sem", func(n string) (ipcfs.Sem, error) { return ns.OpenSem(n, crex, 0o600, 2) })
		zeroName, zero := mustCreate(t, ns, "sem", func(n string) (ipcfs.Sem, error) { return ns.OpenSem(n, crex, 0o600, 0) })
		segName, seg := mustCreate(t, ns, "shm", func(n string) (ipcfs.Shm, error) { return ns.OpenShm(n, crex, 0o600, 0) })
		io.WriteString(seg, "served bytes")
		if err := q.Send(context.Background(), []byte("a message"), 3); err != nil {
			t.Fatal(err)
		}

		srv := httptest.NewServer(http.FileServer(http.FS(ns)))
		client := &http.Client{Timeout: 10 * time.Second}
		for _, p := range []string{"mq/" + qName, "mq/" + emptyName, "sem/" + semName, "sem/" + zeroName, "shm/" + segName} {
			resp, err := client.Get(srv.URL + "/" + p)
			if err != nil {
				t.Errorf("GET /%s: %v (a read that waits never answers)", p, err)
				continue
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("GET /%s = %s, %v", p, resp.Status, err)
				continue
			}
			want := "served bytes"
			if !strings.HasPrefix(p, "shm/") {
				fi, err := ns.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				want = fi.Sys().(interface{ Status() string }).Status()
			}
			if string(body) != want {
				t.Errorf("GET /%s = %q; want %q", p, body, want)
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(want)) {
				t.Errorf("GET /%s: Content-Length %s; want %d (Stat's Size is the length served)", p, cl, len(want))
			}
		}
		// The server shuts down: no handler is stuck in a read.
		closed := make(chan struct{})
		go func() { srv.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("the HTTP server did not shut down: a handler is stuck reading an object")
		}
		if a, err := q.Attr(); err != nil || a.CurMessages != 1 {
			t.Errorf("after the GETs the queue holds %d messages (%v); want 1", a.CurMessages, err)
		}
		for _, c := range []struct {
			s    ipcfs.Sem
			want int
		}{{sem, 2}, {zero, 0}} {
			if v, err := c.s.Value(); err != nil || v != c.want {
				t.Errorf("after the GETs a semaphore's value is %d (%v); want %d", v, err, c.want)
			}
		}
	})
}

// TestShortReadersStopAtALongMessageAndLoseNothing: io.ReadAll's first Read
// has 512 bytes and a default bufio.Reader 4096; a longer message fails
// them with io.ErrShortBuffer (one Read is one message, never part of one),
// the message stays, and bufio.NewReaderSize(q, MessageSize) reads it.
func TestShortReadersStopAtALongMessageAndLoseNothing(t *testing.T) {
	forEachNamespace(t, func(t *testing.T, ns ipcfs.Namespace) {
		attr := ipcfs.MqAttr{MaxMessages: 2, MessageSize: 8192}
		_, q := mustCreate(t, ns, "mq", func(n string) (ipcfs.Mq, error) { return ns.OpenMq(n, crex, 0o600, &attr) })
		long := strings.Repeat("x", 5000) + "\n"
		if err := q.Send(context.Background(), []byte(long), 0); err != nil {
			t.Fatal(err)
		}
		q.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bug must not hang the test
		if b, err := io.ReadAll(q); !errors.Is(err, io.ErrShortBuffer) || len(b) != 0 {
			t.Errorf("io.ReadAll(q) with a 5001-byte message = %d bytes, %v; want 0, io.ErrShortBuffer", len(b), err)
		}
		if _, err := bufio.NewReader(q).ReadString('\n'); !errors.Is(err, io.ErrShortBuffer) {
			t.Errorf("bufio.NewReader(q).ReadString = %v; want io.ErrShortBuffer", err)
		}
		if a, err := q.Attr(); err != nil || a.CurMessages != 1 {
			t.Errorf("after the short readers, CurMessages = %d (%v); want 1 (nothing lost)", a.CurMessages, err)
		}
		line, err := bufio.NewReaderSize(q, int(attr.MessageSize)).ReadString('\n')
		if err != nil || line != long {
			t.Errorf("bufio.NewReaderSize(q, MessageSize).ReadString = %d bytes, %v; want the whole %d-byte message", len(line), err, len(long))
		}
	})
}
