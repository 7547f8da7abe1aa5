//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/sem"
)

func TestSemTryAcquireOnZeroWouldBlock(t *testing.T) {
	s := semCreate(t, 1)
	if err := s.TryAcquire(); err != nil {
		t.Fatalf("TryAcquire at 1: %v", err)
	}
	err := s.TryAcquire()
	if !errors.Is(err, ErrWouldBlock) || !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("TryAcquire at 0: %v, want ErrWouldBlock", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != s.Name() {
		t.Errorf("error %#v is not a PathError naming %q", err, s.Name())
	}
}

func TestSemReleaseAtMaxOverflows(t *testing.T) {
	s := semCreate(t, SemValueMax-1)
	if err := s.Release(); err != nil {
		t.Fatalf("Release to max: %v", err)
	}
	if err := s.Release(); !errors.Is(err, syscall.EOVERFLOW) {
		t.Fatalf("Release at max: %v, want EOVERFLOW", err)
	}
	if v := semValue(t, s); v != SemValueMax {
		t.Errorf("value = %d, want %d (unchanged)", v, SemValueMax)
	}
	n, err := s.Write([]byte{1, 1})
	if n != 0 || !errors.Is(err, syscall.EOVERFLOW) {
		t.Errorf("Write at max = %d, %v; want 0, EOVERFLOW", n, err)
	}
}

func TestSemWriteReleasesAndReadTakesWhatIsThere(t *testing.T) {
	s := semCreate(t, 0)
	if n, err := s.Write([]byte("abc")); n != 3 || err != nil {
		t.Fatalf("Write = %d, %v; want 3, nil", n, err)
	}
	buf := make([]byte, 5)
	n, err := s.Read(buf)
	if n != 3 || err != nil {
		t.Fatalf("Read(5) at value 3 = %d, %v; want 3, nil", n, err)
	}
	if string(buf[:3]) != "\x01\x01\x01" {
		t.Errorf("Read bytes = %q, want three 1 bytes", buf[:3])
	}
	if n, err := s.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v; want 0, nil", n, err)
	}
	s.Write([]byte{0, 0, 0, 0})
	if n, err := io.CopyN(io.Discard, s, 3); n != 3 || err != nil {
		t.Fatalf("CopyN(3) = %d, %v", n, err)
	}
	if v := semValue(t, s); v != 1 {
		t.Errorf("value after CopyN(3) from 4 = %d, want 1", v)
	}
}

func TestSemUseAfterCloseIsErrClosed(t *testing.T) {
	s := semCreate(t, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{
		"Close":       s.Close(),
		"Acquire":     s.Acquire(context.Background()),
		"TryAcquire":  s.TryAcquire(),
		"Release":     s.Release(),
		"SetDeadline": s.SetDeadline(time.Now()),
		"Do":          s.Do(context.Background(), func() error { return nil }),
	}
	_, calls["Value"] = s.Value()
	_, calls["Read"] = s.Read(make([]byte, 1))
	_, calls["Write"] = s.Write([]byte{1})
	_, calls["Stat"] = s.Stat()
	for name, err := range calls {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s after Close: %v, want fs.ErrClosed", name, err)
		}
	}
	if s.Name() == "" {
		t.Error("Name after Close is empty")
	}
}

func TestSemNilHandleIsErrInvalid(t *testing.T) {
	var s *SemFile
	if err := s.Acquire(context.Background()); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Acquire: %v", err)
	}
	if err := s.Close(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Close: %v", err)
	}
	if _, err := s.Value(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Value: %v", err)
	}
}

func TestSemDoReleasesAndJoinsErrors(t *testing.T) {
	s := semCreate(t, 1)
	boom := errors.New("boom")
	err := s.Do(context.Background(), func() error {
		if v := semValue(t, s); v != 0 {
			t.Errorf("value inside Do = %d, want 0", v)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Do: %v, want fn's error", err)
	}
	if v := semValue(t, s); v != 1 {
		t.Errorf("value after Do = %d, want 1", v)
	}
	// A release that fails is reported, not swallowed.
	s2, err := OpenSem(s.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = s2.Do(context.Background(), func() error { return s2.Close() })
	if !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Do with a failing Release: %v, want fs.ErrClosed", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := s.Do(ctx, func() error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Do with a cancelled ctx: %v (fn ran: %v)", err, ran)
	}
}

func TestSemOpenErrors(t *testing.T) {
	s := semCreate(t, 0)
	tests := []struct {
		name  string
		flag  int
		value uint32
		want  error
	}{
		{s.Name(), os.O_CREATE | os.O_EXCL, 0, fs.ErrExist},
		{uniqueName(t), 0, 0, fs.ErrNotExist},
		{"", os.O_CREATE, 0, fs.ErrInvalid},
		{"/a/b", os.O_CREATE, 0, fs.ErrInvalid},
		{"/" + string(make([]byte, 252)), os.O_CREATE, 0, fs.ErrInvalid},
		{uniqueName(t), os.O_CREATE, SemValueMax + 1, fs.ErrInvalid},
	}
	for _, tt := range tests {
		_, err := OpenSem(tt.name, tt.flag, 0o600, tt.value)
		if !errors.Is(err, tt.want) {
			t.Errorf("OpenSem(%.20q, %#o, %d): %v, want %v", tt.name, tt.flag, tt.value, err, tt.want)
		}
		var pe *fs.PathError
		if err != nil && (!errors.As(err, &pe) || pe.Op != "open" || pe.Path != tt.name) {
			t.Errorf("error %#v: want a PathError{open, %q}", err, tt.name)
		}
	}
	if _, err := OpenSem(uniqueName(t), os.O_CREATE, 0o600, SemValueMax+1); err == nil ||
		!strings.Contains(err.Error(), "value") || !strings.Contains(err.Error(), "SemValueMax") {
		t.Errorf("value too big: %v, want an error naming value and SemValueMax", err)
	}
	if err := RemoveSem(uniqueName(t)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveSem(missing): %v, want fs.ErrNotExist", err)
	}
}

func TestSemOpenCreateWithoutExclOpensExisting(t *testing.T) {
	s := semCreate(t, 4)
	s2, err := OpenSem(s.Name(), os.O_CREATE, 0o600, 9)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v := semValue(t, s2); v != 4 {
		t.Errorf("value via O_CREATE on existing = %d, want 4 (value ignored)", v)
	}
	s2.Release()
	if v := semValue(t, s); v != 5 {
		t.Errorf("value via the first handle = %d, want 5", v)
	}
}

func TestSemConcurrentCreateMakesOneSemaphore(t *testing.T) {
	name := uniqueName(t)
	const n = 8
	handles := make([]*SemFile, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := OpenSem(name, os.O_CREATE, 0o600, 1)
			if err != nil {
				t.Error(err)
				return
			}
			handles[i] = s
		})
	}
	wg.Wait()
	defer RemoveSem(name)
	for _, h := range handles {
		if h != nil {
			defer h.Close()
		}
	}
	if t.Failed() {
		return
	}
	if err := handles[0].TryAcquire(); err != nil {
		t.Fatal(err)
	}
	for i, h := range handles {
		if v := semValue(t, h); v != 0 {
			t.Errorf("handle %d sees value %d, want 0: not the same semaphore", i, v)
		}
	}
}

func TestSemBadFilesAreErrorsNotCrashes(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
	}{
		{"empty", nil},
		{"short", make([]byte, 16)},
		{"garbage", []byte("this is not a semaphore, really!")},
		{"private 0", make([]byte, 32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := uniqueName(t)
			host := "/dev/shm/sem." + name[1:]
			if err := os.WriteFile(host, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(host) })
			s, err := OpenSem(name, os.O_CREATE, 0o600, 1)
			if !errors.Is(err, fs.ErrInvalid) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("OpenSem on a %s file: %v, want fs.ErrInvalid", tt.name, err)
			}
			if _, err := New().Stat("sem/" + name[1:]); err == nil {
				t.Errorf("Stat on a %s file succeeded", tt.name)
			}
		})
	}
	t.Run("symlink", func(t *testing.T) {
		s := semCreate(t, 0)
		name := uniqueName(t)
		host := "/dev/shm/sem." + name[1:]
		if err := os.Symlink("/dev/shm/sem."+s.Name()[1:], host); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(host) })
		if _, err := OpenSem(name, 0, 0, 0); !errors.Is(err, syscall.ELOOP) {
			t.Errorf("OpenSem on a symlink: %v, want ELOOP", err)
		}
	})
}

func TestSemRemoveKeepsHandlesWorking(t *testing.T) {
	s := semCreate(t, 0)
	if err := RemoveSem(s.Name()); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if err := s.TryAcquire(); err != nil {
		t.Errorf("TryAcquire after RemoveSem: %v", err)
	}
	if _, err := OpenSem(s.Name(), 0, 0, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenSem after RemoveSem: %v, want fs.ErrNotExist", err)
	}
}

func TestSemStatAndNamespace(t *testing.T) {
	s := semCreate(t, 3)
	base := s.Name()[1:]
	ns := New()
	fi, err := ns.Stat("sem/" + base)
	if err != nil {
		t.Fatal(err)
	}
	fi2, err := s.Stat()
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range []fs.FileInfo{fi, fi2} {
		info, ok := fi.Sys().(SemInfo)
		if fi.Name() != base || fi.Mode() != 0o600 || fi.Size() != int64(len("value 3\nwaiters 0\n")) || !ok || info.Value != 3 {
			t.Errorf("Stat = %q %v size %d sys %#v; want %q %v size %d (the status text) value 3",
				fi.Name(), fi.Mode(), fi.Size(), fi.Sys(), base, fs.FileMode(0o600), len("value 3\nwaiters 0\n"))
		}
		if st, ok := info.Stat.(*syscall.Stat_t); !ok || st.Size != sem.Size {
			t.Errorf("SemInfo.Stat = %#v, want the *syscall.Stat_t of a %d-byte file", info.Stat, sem.Size)
		}
	}
	entries, err := ns.ReadDir("sem")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Name() == base
	}
	if !found {
		t.Errorf("ReadDir(sem) lacks %q", base)
	}
	f, err := ns.OpenFile("sem/"+base, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{1}); err != nil {
		t.Error(err)
	}
	f.Close()
	if v := semValue(t, s); v != 4 {
		t.Errorf("value after Write via OpenFile = %d, want 4", v)
	}
	tmp, err := ns.CreateTemp("sem", "tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { // the handle's Name is its path, "sem/tmp-..."
		if err := ns.Remove(tmp.Name()); err != nil {
			t.Errorf("removing the CreateTemp semaphore: %v", err)
		}
	}()
	defer tmp.Close()
	if v, err := tmp.(Sem).Value(); v != 0 || err != nil {
		t.Errorf("CreateTemp semaphore value = %d, %v; want 0", v, err)
	}
	if err := ns.Remove("sem/" + base); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.Stat("sem/" + base); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after Remove: %v", err)
	}
}

// TestSemDoWithNilFnTakesNothing checks that Do(ctx, nil) fails with
// fs.ErrInvalid instead of panicking inside the critical section, and leaves
// the value alone.
func TestSemDoWithNilFnTakesNothing(t *testing.T) {
	s := semCreate(t, 1)
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("Do(ctx, nil) panicked: %v", r)
			}
		}()
		err = s.Do(context.Background(), nil)
	}()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "do" || pe.Path != s.Name() || !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Do(ctx, nil) = %v; want *fs.PathError{Op: \"do\", Path: %q} matching fs.ErrInvalid", err, s.Name())
	}
	if v := semValue(t, s); v != 1 {
		t.Errorf("value after Do(ctx, nil) = %d; want 1", v)
	}
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
	// The raw fields in this machine's layout (for the 32-bit variant the
	// futex word is value<<1 | the waiters bit).
	word := sem.Host.Forge
	allFF := make([]byte, sem.Host.Size)
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

// semHostFile returns the descriptors and mappings this process holds of
// semaphore s's file, matched by inode (a creator's mapping may show
// O_TMPFILE's name).
func semHostFile(t *testing.T, s *SemFile) (fds, maps int) {
	t.Helper()
	u := cleanupCount(t, "/dev/shm/sem."+s.Name()[1:])
	return u.pathFds, u.pathMaps
}

func TestSemHandlesShareOneMappingAndDescriptor(t *testing.T) {
	s := semCreate(t, 2)
	var hs []*SemFile
	for range 4 {
		h, err := OpenSem(s.Name(), os.O_CREATE, 0o600, 9)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	f, err := New().OpenFile("sem/"+s.Name()[1:], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	hs = append(hs, f.(*SemFile))
	if fds, maps := semHostFile(t, s); fds != 1 || maps != 1 {
		t.Fatalf("6 handles: %d descriptors, %d mappings of the file; want 1 and 1", fds, maps)
	}
	for _, h := range hs {
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if fds, _ := semHostFile(t, s); fds != 1 {
		t.Errorf("one handle left open: %d descriptors, want 1", fds)
	}
	// Stat works on the open handle after the name is gone.
	if err := RemoveSem(s.Name()); err != nil {
		t.Fatal(err)
	}
	fi, err := s.Stat()
	if err != nil || fi.Sys().(SemInfo).Value != 2 {
		t.Fatalf("Stat after RemoveSem: %v, %v; want the value 2", fi, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Stat after Close: %v, want fs.ErrClosed", err)
	}
	runtime.KeepAlive(hs)
}

// Operations racing Close return a result or fs.ErrClosed, never a fault,
// and every unit they report is real.
func TestSemCloseRacingOperationsKeepsCount(t *testing.T) {
	keep := semCreate(t, 0)
	var released, acquired atomic.Int64
	for round := range 200 {
		s, err := OpenSem(keep.Name(), 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := 0; ; i++ {
					var err error
					switch (g + i) % 4 {
					case 0:
						if err = s.Release(); err == nil {
							released.Add(1)
						}
					case 1:
						if err = s.TryAcquire(); err == nil {
							acquired.Add(1)
						} else if errors.Is(err, ErrWouldBlock) {
							err = nil
						}
					case 2:
						ctx, cancel := context.WithTimeout(context.Background(), 50*time.Microsecond)
						if err = s.Acquire(ctx); err == nil {
							acquired.Add(1)
						} else if errors.Is(err, context.DeadlineExceeded) {
							err = nil
						}
						cancel()
					case 3:
						_, err = s.Value()
					}
					if errors.Is(err, fs.ErrClosed) {
						return
					}
					if err != nil {
						t.Errorf("round %d: %v", round, err)
						return
					}
				}
			})
		}
		time.Sleep(time.Duration(round%7) * 20 * time.Microsecond) // vary where Close lands
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
	}
	if v := int64(semValue(t, keep)); v != released.Load()-acquired.Load() {
		t.Errorf("value %d, want %d released - %d acquired", v, released.Load(), acquired.Load())
	}
	if w := semWaiters(keep); w != 0 {
		t.Errorf("nwaiters %d, want 0", w)
	}
}
