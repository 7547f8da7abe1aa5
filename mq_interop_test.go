//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"context"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// mqPeerC is the C peer of the interop tests, built with gcc -lrt.
const mqPeerC = `
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
	if (argc < 3) return 2;
	const char *mode = argv[1], *name = argv[2];
	if (strcmp(mode, "send") == 0) {
		mqd_t q = mq_open(name, O_WRONLY);
		if (q == (mqd_t)-1) { perror("mq_open"); return 1; }
		struct { const char *p; size_t n; unsigned prio; } m[] = {
			{"low", 3, 1}, {"high", 4, 10}, {"mid", 3, 5}, {"n\0l", 3, 5},
		};
		for (int i = 0; i < 4; i++)
			if (mq_send(q, m[i].p, m[i].n, m[i].prio) != 0) { perror("mq_send"); return 1; }
		return 0;
	}
	if (strcmp(mode, "recv") == 0) {
		mqd_t q = mq_open(name, O_RDONLY);
		if (q == (mqd_t)-1) { perror("mq_open"); return 1; }
		struct mq_attr a;
		if (mq_getattr(q, &a) != 0) { perror("mq_getattr"); return 1; }
		char *buf = malloc(a.mq_msgsize);
		int count = atoi(argv[3]);
		for (int i = 0; i < count; i++) {
			unsigned prio;
			ssize_t n = mq_receive(q, buf, a.mq_msgsize, &prio);
			if (n < 0) { perror("mq_receive"); return 1; }
			printf("%u ", prio);
			for (ssize_t j = 0; j < n; j++) printf("%02x", (unsigned char)buf[j]);
			printf("\n");
		}
		return 0;
	}
	if (strcmp(mode, "create") == 0) {
		struct mq_attr a = {0};
		a.mq_maxmsg = 3;
		a.mq_msgsize = 32;
		mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0640, &a);
		if (q == (mqd_t)-1) { perror("mq_open"); return 1; }
		if (mq_send(q, "from C", 6, 7) != 0) { perror("mq_send"); return 1; }
		return 0;
	}
	return 2;
}
`

func TestMqInteropWithC(t *testing.T) {
	peer := buildC(t, mqPeerC, "-lrt")
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := testenv.Command(peer, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("C peer %v: %v\n%s", args, err, out)
		}
		return string(out)
	}

	t.Run("C sends with priorities, Go receives", func(t *testing.T) {
		q := mqCreate(t, 0, MqAttr{MaxMessages: 4, MessageSize: 16})
		run(t, "send", q.Name())
		want := []string{"high/10", "mid/5", "n\x00l/5", "low/1"}
		for _, w := range want {
			msg, prio := mqRecv(t, q)
			if got := msg + "/" + strconv.Itoa(int(prio)); got != w {
				t.Errorf("Go received %q, want %q", got, w)
			}
		}
	})

	t.Run("Go sends, C receives", func(t *testing.T) {
		q := mqCreate(t, 0, MqAttr{MaxMessages: 4, MessageSize: 16})
		cmd := testenv.Command(peer, "recv", q.Name(), "3")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil { // C may block in mq_receive first
			t.Fatal(err)
		}
		for _, m := range []struct {
			msg  string
			prio uint
		}{{"first", 2}, {"a\x00b", 2}, {"", 0}} {
			if err := q.Send(context.Background(), []byte(m.msg), m.prio); err != nil {
				t.Fatal(err)
			}
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("C: %v\n%s", err, out.String())
		}
		want := "2 " + hex.EncodeToString([]byte("first")) + "\n2 " + hex.EncodeToString([]byte("a\x00b")) + "\n0 \n"
		if out.String() != want {
			t.Errorf("C received\n%s\nwant\n%s", out.String(), want)
		}
	})

	t.Run("C creates with attributes, Go reads them", func(t *testing.T) {
		name := uniqueName(t)
		run(t, "create", name)
		t.Cleanup(func() { RemoveMq(name) })
		q, err := OpenMq(name, os.O_RDONLY, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		a, err := q.Attr()
		if err != nil || a.MaxMessages != 3 || a.MessageSize != 32 || a.CurMessages != 1 {
			t.Errorf("Attr = %+v, %v; want 3 x 32 with 1 message", a, err)
		}
		fi, err := q.Stat()
		if err != nil || fi.Mode() != 0o640&^mqUmask() || fi.Sys().(MqInfo).Bytes != 6 || fi.Size() != int64(len(fi.Sys().(MqInfo).Status())) {
			t.Errorf("Stat = %v, %v", fi, err)
		}
		if msg, prio := mqRecv(t, q); msg != "from C" || prio != 7 {
			t.Errorf("got %q/%d", msg, prio)
		}
	})
}
