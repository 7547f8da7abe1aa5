//go:build linux

package ipcfs

// Fuzz tests for the first security boundary: no name, whatever its bytes,
// may reach a host path outside /dev/shm or /dev/mqueue, and every name is
// either refused with fs.ErrInvalid or accepted as a valid object name.
// They run as plain tests with their seed corpus under `go test`; bounded
// fuzzing: go test -run='^$' -fuzz='^FuzzNameRules$' -fuzztime=20s .

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// relHostileNames are names that try to escape the IPC directories, alias
// another kind's files, or break C string handling. Every fuzz target over
// names starts from them.
var relHostileNames = []string{
	"", "/", "//", "///x", "//x", "x", "/x", ".", "..", "/.", "/..", "./x", "x/.",
	"../etc/passwd", "/../etc/passwd", "a/../../x", "..%2f..%2fetc%2fpasswd",
	"/dev/shm/x", "shm/x", "\\..\\x", "x\x00", "\x00", "/\x00/etc/passwd", "x\x00/../y",
	"sem.x", "/sem.x", "sem.", "/sem.", "sem", "sem.sem.x", ".sem.x",
	" ", "\t", "\n", "x\ny", "\xff\xfe", "ü", "日本", "\u202e", "%00", "~", "-rf", "*",
	strings.Repeat("a", 251), strings.Repeat("a", 252), strings.Repeat("a", 255),
	"/" + strings.Repeat("a", 255), strings.Repeat("a", 256), strings.Repeat("/", 300),
	strings.Repeat("../", 100) + "etc/passwd",
}

var relKindDirs = []string{"shm", "mq", "sem"}

func relKind(dir string) *kind.Kind {
	k, ok := kind.Lookup(dir)
	if !ok {
		panic("relKind: not a kind directory: " + dir)
	}
	return k
}

// relCheckHostPath fails t unless p is a plain file name directly inside the
// directory that holds objects of kind k, which is the whole promise
// internal/kind's HostPath makes.
func relCheckHostPath(t *testing.T, k *kind.Kind, n, p string) {
	t.Helper()
	wantDir := strings.TrimSuffix(kind.ShmDir, "/")
	if k == kind.Mq {
		wantDir = strings.TrimSuffix(kind.MqueueDir, "/")
	}
	base := filepath.Base(p)
	switch {
	case filepath.Clean(p) != p:
		t.Fatalf("host path %q for name %q is not clean", p, n)
	case filepath.Dir(p) != wantDir:
		t.Fatalf("host path %q for name %q is outside %s", p, n, wantDir)
	case base == "." || base == ".." || base == "/":
		t.Fatalf("host path %q for name %q names a directory", p, n)
	case len(base) > 255:
		t.Fatalf("host path %q for name %q has a component over NAME_MAX", p, n)
	case strings.ContainsRune(p, 0):
		t.Fatalf("host path %q for name %q holds a NUL byte", p, n)
	case k == kind.Sem && !strings.HasPrefix(base, kind.SemPrefix):
		t.Fatalf("semaphore %q maps to %q, outside glibc's sem.* files", n, p)
	case k == kind.Shm && strings.HasPrefix(base, kind.SemPrefix):
		t.Fatalf("segment %q maps to %q, a semaphore's file", n, p)
	}
}

// FuzzNameRules checks CleanName for every kind: an accepted name is one
// path component inside its kind's directory, is stable under cleaning, and
// a refused one is fs.ErrInvalid inside the error.
func FuzzNameRules(f *testing.F) {
	for _, n := range relHostileNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, dir := range relKindDirs {
			k := relKind(dir)
			n, err := CleanName(dir, name)
			if err != nil {
				if !errors.Is(err, fs.ErrInvalid) {
					t.Fatalf("CleanName(%q, %q) error %v is not fs.ErrInvalid", dir, name, err)
				}
				if n != "" {
					t.Fatalf("CleanName(%q, %q) returned %q with error %v", dir, name, n, err)
				}
				continue
			}
			if n != strings.TrimPrefix(name, "/") {
				t.Fatalf("CleanName(%q, %q) = %q; want the name without one leading slash", dir, name, n)
			}
			if n == "" || strings.ContainsAny(n, "/\x00") || n == "." || n == ".." {
				t.Fatalf("CleanName(%q, %q) accepted %q", dir, name, n)
			}
			relCheckHostPath(t, k, n, k.HostPath(n))
			if again, err := CleanName(dir, "/"+n); err != nil || again != n {
				t.Fatalf("CleanName(%q, %q) = %q, %v; want %q again", dir, "/"+n, again, err, n)
			}
		}
		if _, err := CleanName("../shm", name); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("CleanName with a bad kind directory: %v; want fs.ErrNotExist", err)
		}
	})
}

// relNamespacePathSeeds are namespace paths (fs.ValidPath style) built from
// the hostile names under each directory, plus paths that are not valid.
func relNamespacePathSeeds() []string {
	seeds := []string{".", "", "/", "shm", "mq", "sem", "shm/", "/shm/x", "shm//x", "shm/./x",
		"shm/../sem/x", "shm/x/y", "etc/passwd", "..", "../shm/x", "proc/self/mem", "dev/shm/x"}
	for _, dir := range relKindDirs {
		for _, n := range relHostileNames {
			seeds = append(seeds, dir+"/"+n)
		}
	}
	return seeds
}

// FuzzNamespacePath checks (*FS).Stat and (*FS).Open with any path: no
// panic; a path that fs.ValidPath refuses, or whose object name breaks the
// name rules, fails with fs.ErrInvalid without touching the host; any other
// outcome concerns an object in the right host directory. Open is read-only,
// so the fuzzer never creates or changes anything.
func FuzzNamespacePath(f *testing.F) {
	for _, p := range relNamespacePathSeeds() {
		f.Add(p)
	}
	ns := New()
	f.Fuzz(func(t *testing.T, p string) {
		dir, name, splitErr := SplitPath("stat", p)
		validName := splitErr == nil && name != ""
		if validName {
			if _, err := CleanName(dir, name); err != nil {
				t.Fatalf("SplitPath(%q) accepted name %q that CleanName refuses: %v", p, name, err)
			}
		}

		fi, err := ns.Stat(p)
		relCheckNamespaceResult(t, "stat", p, err, splitErr)
		if err == nil && validName {
			relCheckSameHostObject(t, p, dir, name, fi)
		}

		file, err := ns.Open(p)
		relCheckNamespaceResult(t, "open", p, err, splitErr)
		if err == nil {
			if validName {
				if fi, serr := file.Stat(); serr == nil {
					relCheckSameHostObject(t, p, dir, name, fi)
				}
			}
			if cerr := file.Close(); cerr != nil {
				t.Fatalf("Close of %q: %v", p, cerr)
			}
		}
	})
}

// relCheckNamespaceResult checks the error of a namespace call on p against
// what SplitPath says of p.
func relCheckNamespaceResult(t *testing.T, op, p string, err, splitErr error) {
	t.Helper()
	if err == nil {
		if splitErr != nil {
			t.Fatalf("%s(%q) succeeded; SplitPath refused it: %v", op, p, splitErr)
		}
		return
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("%s(%q) error %v (%T) is not an *fs.PathError", op, p, err, err)
	}
	if splitErr != nil {
		if errors.Is(splitErr, fs.ErrInvalid) != errors.Is(err, fs.ErrInvalid) {
			t.Fatalf("%s(%q) error %v; SplitPath says %v", op, p, err, splitErr)
		}
		return
	}
	if relIsNameRuleError(err) {
		// A valid path may still fail for other reasons (no such object,
		// a corrupt object), but never with a name-rule error.
		t.Fatalf("%s(%q) = %v: a valid path was refused as an invalid name", op, p, err)
	}
}

// relIsNameRuleError reports whether err holds one of the name-rule errors
// of internal/kind.
func relIsNameRuleError(err error) bool {
	for _, e := range []error{kind.ErrEmpty, kind.ErrSlash, kind.ErrDots, kind.ErrNUL, kind.ErrTooLong, kind.ErrReserved} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// relCheckSameHostObject checks that the FileInfo the namespace returned for
// dir/name describes the host file kind.HostPath gives (same device and inode),
// so the library looked nowhere else.
func relCheckSameHostObject(t *testing.T, p, dir, name string, fi fs.FileInfo) {
	t.Helper()
	var st *syscall.Stat_t
	switch sys := fi.Sys().(type) {
	case *syscall.Stat_t:
		st = sys
	case SemInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	case *SemInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	case MqInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	case *MqInfo:
		st, _ = sys.Stat.(*syscall.Stat_t)
	}
	if st == nil {
		return // no raw stat to compare (a queue without /dev/mqueue)
	}
	k := relKind(dir)
	n, _ := CleanName(dir, name)
	var host syscall.Stat_t
	if err := syscall.Lstat(k.HostPath(n), &host); err != nil {
		t.Fatalf("Stat(%q) succeeded but its host file %s: %v", p, k.HostPath(n), err)
	}
	if host.Dev != st.Dev || host.Ino != st.Ino {
		t.Fatalf("Stat(%q) describes dev %d inode %d; host file %s is dev %d inode %d",
			p, st.Dev, st.Ino, k.HostPath(n), host.Dev, host.Ino)
	}
}
