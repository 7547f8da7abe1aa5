package kind

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanAcceptsWithAndWithoutSlash(t *testing.T) {
	for _, k := range All {
		for _, in := range []string{"/abc", "abc"} {
			got, err := k.Clean(in)
			if err != nil || got != "abc" {
				t.Errorf("Clean(%v, %q) = %q, %v; want \"abc\", nil", k, in, got, err)
			}
		}
	}
}

func TestCleanRejectsBadNames(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"/", ErrEmpty},
		{".", ErrDots},
		{"/..", ErrDots},
		{"//x", ErrSlash},
		{"a/b", ErrSlash},
		{"../etc/passwd", ErrSlash},
		{"a/../../x", ErrSlash},
		{"a\x00b", ErrNUL},
		{"/" + strings.Repeat("x", 256), ErrTooLong},
	}
	for _, k := range All {
		for _, c := range cases {
			if _, err := k.Clean(c.in); !errors.Is(err, c.want) {
				t.Errorf("Clean(%v, %q) error = %v; want %v", k, c.in, err, c.want)
			}
		}
	}
}

func TestCleanLengthLimitsPerKind(t *testing.T) {
	for _, c := range []struct {
		k   *Kind
		max int
	}{{Shm, 255}, {Mq, 255}, {Sem, 251}} {
		if _, err := c.k.Clean(strings.Repeat("a", c.max)); err != nil {
			t.Errorf("kind %v: %d bytes refused: %v", c.k, c.max, err)
		}
		if _, err := c.k.Clean(strings.Repeat("a", c.max+1)); !errors.Is(err, ErrTooLong) {
			t.Errorf("kind %v: %d bytes: err = %v; want ErrTooLong", c.k, c.max+1, err)
		}
	}
}

func TestShmNamesCannotReachSemaphoreFiles(t *testing.T) {
	if _, err := Shm.Clean("/sem.x"); !errors.Is(err, ErrReserved) {
		t.Fatalf("Shm.Clean(/sem.x) = %v; want ErrReserved", err)
	}
	if _, err := Sem.Clean("/sem.x"); err != nil {
		t.Fatalf("Sem.Clean(/sem.x) = %v; want nil", err)
	}
}

func TestPathStaysInsideItsDirectory(t *testing.T) {
	for _, k := range All {
		n, err := k.Clean("/obj")
		if err != nil {
			t.Fatal(err)
		}
		p := k.HostPath(n)
		dir := ShmDir
		if k == Mq {
			dir = MqueueDir
		}
		if filepath.Dir(p)+"/" != dir || filepath.Clean(p) != p {
			t.Errorf("HostPath(%v, %q) = %q; want a plain file in %s", k, n, p, dir)
		}
	}
}
