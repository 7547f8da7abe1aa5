package sem

import (
	"bytes"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// glibcImages are the files glibc's sem_open(name, O_CREAT, mode, 5) writes
// on each architecture, as its C peers dump them under qemu-user (the
// 32-bit variant stores 5<<1; big-endian machines store the value in the
// second half of the 64-bit word).
var glibcImages = map[string]string{
	"wideLE":   "05000000 00000000 80000000 00000000 00000000 00000000 00000000 00000000",
	"wideBE":   "00000000 00000005 00000080 00000000 00000000 00000000 00000000 00000000",
	"narrowLE": "0a000000 80000000 00000000 00000000",
	"narrowBE": "0000000a 00000080 00000000 00000000",
}

// variantOf names the layout of goarch, for glibcImages.
func variantOf(t *testing.T, goarch string) string {
	t.Helper()
	l, ok := LayoutOf(goarch)
	if !ok {
		t.Fatalf("no layout for %s", goarch)
	}
	name := "wide"
	if !l.Wide {
		name = "narrow"
	}
	if l.Order.Uint16([]byte{0, 1}) == 1 {
		return name + "BE"
	}
	return name + "LE"
}

// goarchesOnLinux are the GOARCH values Go supports on Linux.
var goarchesOnLinux = []string{"386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le",
	"ppc64", "ppc64le", "riscv64", "s390x"}

// Every architecture's image, validation and fields, checked on every one
// (the layouts are data).
func TestLayoutsAreGlibcs(t *testing.T) {
	for _, goarch := range goarchesOnLinux {
		l, _ := LayoutOf(goarch)
		want, _ := hex.DecodeString(strings.ReplaceAll(glibcImages[variantOf(t, goarch)], " ", ""))
		if got := l.Image(5); !bytes.Equal(got, want) {
			t.Errorf("%s: Image(5) = % x, want % x", goarch, got, want)
		}
		if v, err := l.Parse(want); v != 5 || err != nil {
			t.Errorf("%s: Parse(glibc's image of 5) = %d, %v", goarch, v, err)
		}
		if l.Wide != (l.Size == 32) || (l.ValueShift == 1) == l.Wide {
			t.Errorf("%s: inconsistent layout %+v", goarch, l)
		}
		word, n, private := l.Fields(l.Forge(7, 3, 128))
		if word != 7 || n != 3 || private != 128 {
			t.Errorf("%s: Fields(Forge(7, 3, 128)) = %d, %d, %d", goarch, word, n, private)
		}
	}
}

func TestParseRejectsWhatIsNotASemaphore(t *testing.T) {
	for _, goarch := range goarchesOnLinux {
		l, _ := LayoutOf(goarch)
		tests := []struct {
			name string
			head []byte
			ok   bool
		}{
			{"glibc image", l.Image(5), true},
			{"with waiters", l.Forge(1<<l.ValueShift|uint32(l.ValueShift), 2, 128), true},
			{"longer file", append(l.Image(1), 9, 9, 9), true},
			{"empty", nil, false},
			{"short", l.Image(1)[:l.Size-1], false},
			{"private 0", make([]byte, l.Size), false},
			{"garbage", bytes.Repeat([]byte{0xff}, l.Size), false},
			{"the other word size's image", otherWidth(l).Image(1), false},
		}
		if l.Wide {
			tests = append(tests, struct {
				name string
				head []byte
				ok   bool
			}{"value above max", l.Forge(ValueMax+1, 0, 128), false})
		}
		for _, tt := range tests {
			_, err := l.Parse(tt.head)
			if (err == nil) != tt.ok {
				t.Errorf("%s, %s: Parse = %v, want ok=%v", goarch, tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrNotSemaphore) {
				t.Errorf("%s, %s: %v does not wrap ErrNotSemaphore", goarch, tt.name, err)
			}
		}
	}
}

// otherWidth returns the layout of the other word size with the same byte
// order: what a 32-bit process and a 64-bit one on the same machine would
// make of each other's semaphores.
func otherWidth(l Layout) Layout {
	for _, c := range []Layout{wideLE, wideBE, narrowLE, narrowBE} {
		if c.Wide != l.Wide && c.Order == l.Order {
			return c
		}
	}
	panic("no layout")
}

// The host's Word uses the host's layout: Size, the futex word's offset,
// where register counts a waiter and what a post stores.
func TestWordUsesTheHostLayout(t *testing.T) {
	l, ok := LayoutOf(runtime.GOARCH)
	if !ok {
		t.Skipf("no layout for %s", runtime.GOARCH)
	}
	if Host != l || Size != l.Size {
		t.Fatalf("Host %+v, Size %d; want %s's %+v", Host, Size, runtime.GOARCH, l)
	}
	if ValueMax != 2147483647 || Shared != 128 {
		t.Errorf("ValueMax %d Shared %d, want 2147483647 128", ValueMax, Shared)
	}
	mem := make([]uint64, 4)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&mem[0])), Size)
	copy(b, Image(5))
	w := NewWord(b)
	if off := uintptr(unsafe.Pointer(w.futexAddr())) - uintptr(unsafe.Pointer(&b[0])); off != uintptr(l.ValueOff) {
		t.Errorf("futex word at offset %d, want %d", off, l.ValueOff)
	}
	if w.Value() != 5 || w.Waiters() != 0 {
		t.Fatalf("value %d nwaiters %d on glibc's image of 5", w.Value(), w.Waiters())
	}
	for range 5 {
		if !w.TryWait() {
			t.Fatal("TryWait failed with units left")
		}
	}
	w.register()
	w.register()
	expected := w.armSleep()
	if err := w.Post(); err != nil {
		t.Fatal(err)
	}
	word, n, private := l.Fields(b)
	wantWord := uint32(1) << l.ValueShift
	if !l.Wide {
		wantWord |= 1 // the waiters bit, set by armSleep
	}
	if word != wantWord || n != 2 || private != 128 {
		t.Errorf("after two registrations, arming and a post: fields %#x %d %d, want %#x 2 128", word, n, private, wantWord)
	}
	if want := uint32(0) | uint32(l.ValueShift); expected != want {
		t.Errorf("armSleep = %#x, want %#x (no unit%s)", expected, want, map[bool]string{false: ", waiters bit set", true: ""}[l.Wide])
	}
}
