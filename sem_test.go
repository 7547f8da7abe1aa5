package ipcfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestSemCountingAcrossGoroutines(t *testing.T) {
	s := semCreate(t, 0)
	const producers, consumers, each = 4, 4, 500
	var wg sync.WaitGroup
	errs := make(chan error, producers+consumers)
	for range consumers {
		wg.Go(func() {
			for range each {
				if err := s.Acquire(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range producers {
		wg.Go(func() {
			for range each {
				if err := s.Release(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if v := semValue(t, s); v != 0 {
		t.Errorf("value after %d releases and acquires = %d, want 0", producers*each, v)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
}

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

func TestSemReadWaitsForAUnit(t *testing.T) {
	s := semCreate(t, 0)
	got := make(chan int)
	go func() {
		n, err := s.Read(make([]byte, 10))
		if err != nil {
			t.Error(err)
		}
		got <- n
	}()
	semWaitFor(t, "the reader to wait", func() bool { return semWaiters(s) == 1 })
	s.Write([]byte{1})
	if n := <-got; n != 1 {
		t.Errorf("Read = %d, want 1", n)
	}
}

func TestSemDeadlines(t *testing.T) {
	tests := []struct {
		name string
		set  func(s *SemFile) error
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"read deadline", func(s *SemFile) error { return s.SetReadDeadline(time.Now().Add(20 * time.Millisecond)) },
			func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, os.ErrDeadlineExceeded},
		{"deadline", func(s *SemFile) error { return s.SetDeadline(time.Now().Add(20 * time.Millisecond)) },
			func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, os.ErrDeadlineExceeded},
		{"past deadline", func(s *SemFile) error { return s.SetDeadline(time.Now().Add(-time.Second)) },
			func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, os.ErrDeadlineExceeded},
		{"ctx timeout", func(*SemFile) error { return nil },
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 20*time.Millisecond)
			}, context.DeadlineExceeded},
		{"ctx already cancelled", func(*SemFile) error { return nil },
			func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := semCreate(t, 0)
			if err := tt.set(s); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			if err := s.Acquire(ctx); !errors.Is(err, tt.want) {
				t.Errorf("Acquire: %v, want %v", err, tt.want)
			}
			if tt.want == os.ErrDeadlineExceeded {
				if _, err := s.Read(make([]byte, 1)); !errors.Is(err, tt.want) {
					t.Errorf("Read: %v, want %v", err, tt.want)
				}
			}
			if w := semWaiters(s); w != 0 {
				t.Errorf("nwaiters after giving up = %d, want 0", w)
			}
			// A unit released now is still there: nothing was consumed.
			s.Release()
			if v := semValue(t, s); v != 1 {
				t.Errorf("value after release = %d, want 1", v)
			}
		})
	}
}

func TestSemDeadlineClearedAllowsWaiting(t *testing.T) {
	s := semCreate(t, 1)
	s.SetDeadline(time.Now().Add(-time.Second))
	s.SetDeadline(time.Time{})
	if err := s.Acquire(context.Background()); err != nil {
		t.Fatalf("Acquire after clearing the deadline: %v", err)
	}
}

func TestSemSetDeadlineWakesWaiter(t *testing.T) {
	s := semCreate(t, 0)
	errc := make(chan error)
	go func() { errc <- s.Acquire(context.Background()) }()
	semWaitFor(t, "the waiter", func() bool { return semWaiters(s) == 1 })
	s.SetReadDeadline(time.Now())
	if err := <-errc; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Acquire: %v, want os.ErrDeadlineExceeded", err)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
}

func TestSemCancelWhileWaitingTakesNothing(t *testing.T) {
	s := semCreate(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- s.Acquire(ctx) }()
	semWaitFor(t, "the waiter", func() bool { return semWaiters(s) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire: %v, want context.Canceled", err)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
	}
	if v := semValue(t, s); v != 0 {
		t.Errorf("value = %d, want 0", v)
	}
}

func TestSemCloseWhileWaitingGivesErrClosed(t *testing.T) {
	s := semCreate(t, 0)
	other, err := OpenSem(s.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const n = 5
	errc := make(chan error)
	for range n {
		go func() { errc <- s.Acquire(context.Background()) }()
	}
	semWaitFor(t, "the waiters", func() bool { return semWaiters(other) == n })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range n {
		if err := <-errc; !errors.Is(err, fs.ErrClosed) {
			t.Errorf("Acquire: %v, want fs.ErrClosed", err)
		}
	}
	if w := semWaiters(other); w != 0 {
		t.Errorf("nwaiters after Close = %d, want 0", w)
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

func TestSemTwoHundredWaitersAllWoken(t *testing.T) {
	s := semCreate(t, 0)
	const n = 200
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for range n {
		wg.Go(func() {
			if err := s.Acquire(context.Background()); err != nil {
				errc <- err
			}
		})
	}
	semWaitFor(t, "200 waiters", func() bool { return semWaiters(s) == n })
	if k, err := s.Write(make([]byte, n)); k != n || err != nil {
		t.Fatalf("Write(%d) = %d, %v", n, k, err)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if v, w := semValue(t, s), semWaiters(s); v != 0 || w != 0 {
		t.Errorf("after waking all: value %d nwaiters %d, want 0 0", v, w)
	}
}

// Waiters that give up (cancel, timeout) while units are being posted must
// never strand a unit while others wait, nor lose one: at the end the
// value is what was released minus what was acquired.
func TestSemGivingUpWaitersLoseNoUnits(t *testing.T) {
	s := semCreate(t, 0)
	const waiters, releases = 40, 2000
	var mu sync.Mutex
	acquired := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range waiters {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%5)*100*time.Microsecond)
				err := s.Acquire(ctx)
				cancel()
				if err == nil {
					mu.Lock()
					acquired++
					mu.Unlock()
				} else if !errors.Is(err, context.DeadlineExceeded) {
					t.Error(err)
					return
				}
			}
		})
	}
	for range releases {
		if err := s.Release(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if v := semValue(t, s); v != releases-acquired {
		t.Errorf("value %d, want %d released - %d acquired", v, releases, acquired)
	}
	if w := semWaiters(s); w != 0 {
		t.Errorf("nwaiters = %d, want 0", w)
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
		if fi.Name() != base || fi.Mode() != fs.ModeIrregular|0o600 || fi.Size() != 3 || !ok || info.Value != 3 {
			t.Errorf("Stat = %q %v size %d sys %#v; want %q %v size 3 value 3",
				fi.Name(), fi.Mode(), fi.Size(), fi.Sys(), base, fs.ModeIrregular|0o600)
		}
		if st, ok := info.Stat.(*syscall.Stat_t); !ok || st.Size != 32 {
			t.Errorf("SemInfo.Stat = %#v, want the *syscall.Stat_t of a 32-byte file", info.Stat)
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
	defer ns.Remove("sem/" + tmp.Name()[1:])
	defer tmp.Close()
	if v, err := tmp.(Semaphore).Value(); v != 0 || err != nil {
		t.Errorf("CreateTemp semaphore value = %d, %v; want 0", v, err)
	}
	if err := ns.Remove("sem/" + base); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.Stat("sem/" + base); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after Remove: %v", err)
	}
}
