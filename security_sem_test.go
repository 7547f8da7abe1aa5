//go:build linux

package ipcfs

// Semaphores against hostile or racing neighbours: never visible half
// made, and a corrupt word costs errors or odd values, never a crash or a
// hang.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/names"
	"github.com/ipcfs/ipcfs/internal/testenv"
)

// relSemHostPath returns the host file of semaphore name.
func relSemHostPath(t *testing.T, name string) string {
	t.Helper()
	n, err := CleanName("sem", name)
	if err != nil {
		t.Fatal(err)
	}
	return names.Path(names.Sem, n)
}

func TestSecuritySemaphoreNeverHalfInitialised(t *testing.T) {
	const rounds, openers, value = 100, 3, 7
	for _, flag := range []int{os.O_CREATE | os.O_EXCL, os.O_CREATE} {
		for round := range rounds {
			name := uniqueName(t)
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 2*openers)
			// Openers spin until the name appears; whatever they open must
			// already hold the creator's value.
			for range openers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					deadline := time.Now().Add(10 * time.Second)
					for time.Now().Before(deadline) {
						s, err := OpenSem(name, 0, 0, 0)
						if errors.Is(err, fs.ErrNotExist) {
							continue
						}
						if err != nil {
							errs <- err
							return
						}
						v, err := s.Value()
						s.Close()
						if err != nil || v != value {
							errs <- fmt.Errorf("opened a semaphore with value %d, error %v; want the creator's %d", v, err, value)
						}
						return
					}
					errs <- errors.New("the semaphore never appeared")
				}()
			}
			// With plain O_CREATE, rival creators race too; all must agree.
			creators := 1
			if flag&os.O_EXCL == 0 {
				creators = 2
			}
			for range creators {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					s, err := OpenSem(name, flag, 0o600, value)
					if err != nil {
						errs <- err
						return
					}
					if v, err := s.Value(); err != nil || v != value {
						errs <- fmt.Errorf("creator sees value %d, error %v", v, err)
					}
					s.Close()
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("flag %#o round %d: %v", flag, round, err)
			}
			if err := RemoveSem(name); err != nil {
				t.Fatal(err)
			}
			if t.Failed() {
				return
			}
		}
	}
}

func TestReliabilityCorruptSemaphoreWord(t *testing.T) {
	word := func(value, waiters uint32, private int32) []byte {
		b := make([]byte, 32)
		binary.LittleEndian.PutUint32(b[0:], value)
		binary.LittleEndian.PutUint32(b[4:], waiters)
		binary.LittleEndian.PutUint32(b[8:], uint32(private))
		return b
	}
	allFF := make([]byte, 32)
	for i := range allFF {
		allFF[i] = 0xff
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"value above SemValueMax", word(0x80000000, 0, 128)},
		{"value all ones", word(0xffffffff, 0, 128)},
		{"phantom waiters", word(0, 0xffffffff, 128)},
		{"private futex flag", word(1, 0, 0)},
		{"garbage private field", word(1, 0, -1)},
		{"all bytes 0xff", allFF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := uniqueName(t)
			s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close(); RemoveSem(name) })
			// A hostile writer overwrites the whole word through the file.
			if err := os.WriteFile(relSemHostPath(t, name), c.data, 0); err != nil {
				t.Fatal(err)
			}
			for _, h := range []struct {
				what string
				s    *SemFile
			}{{"the open handle", s}, {"a new handle", nil}} {
				sem := h.s
				if sem == nil {
					sem, err = OpenSem(name, 0, 0, 0)
					if err != nil {
						// Refusing a corrupt semaphore at open is fine.
						t.Logf("reopen refused: %v", err)
						continue
					}
					defer sem.Close()
				}
				// Every call returns (a value or an error), quickly enough
				// for the bounded waits; the test would crash or hang if not.
				sem.Value()
				sem.TryAcquire()
				sem.Release()
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				done := make(chan error, 1)
				go func() { done <- sem.Acquire(ctx) }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Fatalf("%s: Acquire with a 50ms context still blocked after 10s", h.what)
				}
				cancel()
				if _, err := sem.Value(); err != nil && !errors.Is(err, fs.ErrInvalid) {
					t.Errorf("%s: Value on a corrupt word: %v", h.what, err)
				}
			}
		})
	}
}

// relSemOpenerC spins in sem_open on NAME-0, NAME-1, ... until each exists
// and prints its value: glibc does not validate the file, so a semaphore
// visible before it is complete would crash it (SIGBUS on a short file) or
// show a wrong value.
const relSemOpenerC = `
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	int rounds = atoi(argv[2]);
	char name[512];
	for (int i = 0; i < rounds; i++) {
		snprintf(name, sizeof name, "%s-%d", argv[1], i);
		sem_t *s;
		while ((s = sem_open(name, 0)) == SEM_FAILED) {
			if (errno != ENOENT) { perror("sem_open"); return 1; }
		}
		int v = -1;
		sem_getvalue(s, &v);
		printf("%d %d\n", i, v);
		fflush(stdout);
		sem_close(s);
	}
	return 0;
}
`

func TestSecuritySemaphoreNeverHalfInitialisedForGlibc(t *testing.T) {
	const rounds, value = 100, 7
	bin := buildC(t, relSemOpenerC, "-pthread")
	base := uniqueName(t)
	cmd := testenv.Command(bin, base, strconv.Itoa(rounds))
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
	for i := range rounds {
		name := fmt.Sprintf("%s-%d", base, i)
		s, err := OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, value)
		if err != nil {
			t.Fatal(err)
		}
		if !lines.Scan() {
			s.Close()
			RemoveSem(name)
			t.Fatalf("round %d: the C opener ended (%v); a half-made semaphore would crash it with SIGBUS", i, cmd.Wait())
		}
		if got, want := lines.Text(), fmt.Sprintf("%d %d", i, value); got != want {
			t.Errorf("round %d: C's sem_open saw %q; want %q", i, got, want)
		}
		s.Close()
		if err := RemoveSem(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("C opener: %v", err)
	}
}
