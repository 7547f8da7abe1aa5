//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sem

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// glibcC is a C peer for this GOARCH: it prints sizeof(sem_t), creates
// the semaphore NAME with value 0, dumps its file, then waits on it in a
// second thread (sem_wait) and says "acquired" when a post woke it.
const glibcC = `#include <stdio.h>
#include <semaphore.h>
#include <fcntl.h>
#include <pthread.h>
static sem_t *s;
static void *waiter(void *arg) {
	if (sem_wait(s) != 0) { perror("sem_wait"); return NULL; }
	printf("acquired\n"); fflush(stdout);
	return NULL;
}
int main(int argc, char **argv) {
	s = sem_open(argv[1], O_CREAT|O_EXCL, 0600, 5);
	if (s == SEM_FAILED) { perror("sem_open"); return 1; }
	printf("%zu", sizeof(sem_t));
	for (size_t i = 0; i < sizeof(sem_t); i++) printf(" %02x", ((unsigned char *)s)[i]);
	printf("\n"); fflush(stdout);
	for (int i = 0; i < 5; i++) sem_wait(s);
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	pthread_join(t, NULL);
	return 0;
}
`

// glibc's own semaphore on this architecture, against this package: the
// size and bytes sem_open writes, the fields a sleeping sem_wait leaves
// (nwaiters, and on 32-bit machines the waiters bit), and a post of this
// package waking it and the fields after it left.
func TestGlibcSemaphoreOnThisArchitecture(t *testing.T) {
	bin := testenv.BuildC(t, glibcC, "-pthread")
	name := fmt.Sprintf("ipcfs-semtest-%d-glibc", os.Getpid())
	path := "/dev/shm/sem." + name
	os.Remove(path)
	t.Cleanup(func() { os.Remove(path) })
	cmd := testenv.Command(bin, "/"+name)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("C peer said nothing: %v", lines.Err())
	}
	var hex []string
	for _, b := range Image(5) {
		hex = append(hex, fmt.Sprintf("%02x", b))
	}
	if got, want := lines.Text(), fmt.Sprint(Size, " ", strings.Join(hex, " ")); got != want {
		t.Fatalf("glibc's sizeof(sem_t) and image of 5: %s\nthis package's:                  %s", got, want)
	}

	h := openHandle(t, path, 0)
	deadline := time.Now().Add(time.Minute)
	for h.h.Word.Waiters() != 1 || !armed(t, path) {
		if time.Now().After(deadline) {
			t.Fatalf("glibc's sem_wait never registered and armed: value %d nwaiters %d", h.h.Word.Value(), h.h.Word.Waiters())
		}
		time.Sleep(time.Millisecond) // polling another process's state, with a deadline
	}
	if err := h.h.Release(); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() || lines.Text() != "acquired" {
		t.Fatalf("C waiter: %q, %v; want it woken by the post", lines.Text(), lines.Err())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if word, n, private := Host.Fields(b); word != 0 || n != 0 || private != Shared {
		t.Errorf("after glibc's waiter left: futex word %#x nwaiters %d private %d; want 0 0 %d (the waiters bit cleared by the last waiter)", word, n, private, Shared)
	}
}

// armed reports whether the semaphore file at path shows a waiter ready to
// sleep: value 0 and, in the 32-bit variant, the waiters bit set.
func armed(t *testing.T, path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	word, _, _ := Host.Fields(b)
	return word == uint32(Host.ValueShift) // 0, or 1: no unit and the waiters bit
}
