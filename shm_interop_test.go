//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// shmCPeer is a C program using glibc's shm_open on the same segments:
//
//	peer read NAME          prints the segment's bytes
//	peer write NAME TEXT    creates or opens NAME, sizes it to TEXT and stores TEXT
//	peer unlink NAME        shm_unlink
const shmCPeer = `
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what) { perror(what); return 1; }

int main(int argc, char **argv) {
	if (argc < 3) return 2;
	const char *cmd = argv[1], *name = argv[2];
	if (strcmp(cmd, "unlink") == 0) return shm_unlink(name) == 0 ? 0 : fail("shm_unlink");
	int write = strcmp(cmd, "write") == 0;
	int fd = shm_open(name, write ? O_RDWR | O_CREAT : O_RDONLY, 0600);
	if (fd < 0) return fail("shm_open");
	struct stat st;
	if (fstat(fd, &st) < 0) return fail("fstat");
	size_t size = st.st_size;
	if (write) {
		size = strlen(argv[3]);
		if (ftruncate(fd, size) < 0) return fail("ftruncate");
	}
	if (size == 0) return 0;
	char *p = mmap(NULL, size, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) return fail("mmap");
	if (write) memcpy(p, argv[3], size);
	else fwrite(p, 1, size, stdout);
	munmap(p, size);
	close(fd);
	return 0;
}
`

// shmRunCPeer runs the C peer binary with args and returns its stdout.
func shmRunCPeer(t *testing.T, peer string, args ...string) string {
	t.Helper()
	var stdout bytes.Buffer
	cmd := testenv.Command(peer, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("C peer %v: %v", args, err)
	}
	return stdout.String()
}

func TestShmInteropWithC(t *testing.T) {
	peer := buildC(t, shmCPeer, "-lrt")
	t.Run("CReadsWhatGoWrote", func(t *testing.T) { shmTestCReadsWhatGoWrote(t, peer) })
	t.Run("GoReadsWhatCWrote", func(t *testing.T) { shmTestGoReadsWhatCWrote(t, peer) })
}

func shmTestCReadsWhatGoWrote(t *testing.T, peer string) {
	f, name := shmCreate(t, 0)
	text := strings.Repeat("written by Go via the mapping; ", 500) // several pages
	if _, err := f.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if got := shmRunCPeer(t, peer, "read", name); got != text {
		t.Errorf("C read %d bytes %.40q...; want %d bytes %.40q...", len(got), got, len(text), text)
	}
	// Without the leading slash on the Go side: the same object for glibc.
	g := shmOpenT(t, strings.TrimPrefix(name, "/"), os.O_RDWR)
	if err := g.Truncate(5); err != nil {
		t.Fatal(err)
	}
	if got := shmRunCPeer(t, peer, "read", name); got != text[:5] {
		t.Errorf("C read %q after Go truncated; want %q", got, text[:5])
	}
}

func shmTestGoReadsWhatCWrote(t *testing.T, peer string) {
	name := uniqueName(t)
	t.Cleanup(func() { shmRemoveQuietly(t, name) })
	shmRunCPeer(t, peer, "write", name, "hello from C")
	f := shmOpenT(t, name, os.O_RDONLY)
	shmCheckContent(t, f, "hello from C")
	fi, err := f.Stat()
	if err != nil || fi.Mode() != 0o600 {
		t.Errorf("Stat of C-created segment = %v, %v; want mode 0600", fi, err)
	}
	// A handle open in Go sees C's later stores and resizes.
	b, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	shmRunCPeer(t, peer, "write", name, "HELLO FROM C, longer")
	if string(b) != "HELLO FROM C" {
		t.Errorf("old Bytes slice shows %q; want C's new store", b)
	}
	shmCheckContent(t, f, "HELLO FROM C, longer")
	// C's shm_unlink removes what Go sees.
	shmRunCPeer(t, peer, "unlink", name)
	if _, err := os.Lstat(shmHostPath(name)); !os.IsNotExist(err) {
		t.Errorf("after C shm_unlink: %v", err)
	}
}
