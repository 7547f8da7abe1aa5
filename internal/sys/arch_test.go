package sys

import (
	"go/build/constraint"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// provenExpr is the build constraint of the proven architectures, as every
// file spells it.
var provenExpr = "(" + strings.Join(ProvenArchs, " || ") + ")"

// ilp32Expr groups the 32-bit architectures, whose layouts and time64
// system calls differ (glibc's 32-bit semaphore, 32-bit longs).
const ilp32Expr = "386 || arm || mips || mipsle"

// moduleFiles returns the build constraint of every Go file of the module
// that has one, by path relative to the module root.
func moduleFiles(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Skipf("module source not here: %v", err)
	}
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if constraint.IsGoBuild(line) {
				rel, _ := filepath.Rel(root, path)
				files[filepath.ToSlash(rel)] = strings.TrimPrefix(line, "//go:build ")
				break
			}
			if strings.HasPrefix(line, "package ") {
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestProvenConstraintIsOneList: every file that names the proven
// architectures names all of them, in one spelling, so no file can be
// built for an architecture the others refuse.
func TestProvenConstraintIsOneList(t *testing.T) {
	files := moduleFiles(t)
	for path, expr := range files {
		if _, err := constraint.Parse("//go:build " + expr); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if strings.Contains(expr, "loong64") || strings.Contains(expr, "ppc64le") || strings.Contains(expr, "riscv64") {
			if !strings.HasPrefix(expr, "linux && "+provenExpr) && expr != "!linux || !"+provenExpr {
				t.Errorf("%s: //go:build %s; want linux && %s (and more), or its negation", path, expr, provenExpr)
			}
		}
		if strings.Contains(expr, "mipsle") && !strings.Contains(expr, ilp32Expr) {
			t.Errorf("%s: //go:build %s; want the 32-bit architectures as %s", path, expr, ilp32Expr)
		}
	}
	// The root package's host tests run only where the host is used: a
	// plain "linux" would run them where every open is refused.
	for path, expr := range files {
		if !strings.Contains(path, "/") && expr == "linux" {
			t.Errorf("%s: //go:build linux; want linux && %s", path, provenExpr)
		}
	}
	// The system-call implementations and their stubs.
	for _, pair := range [][2]string{
		{"internal/futex/futex_linux.go", "internal/futex/futex_other.go"},
		{"internal/mq/mq_linux.go", "internal/mq/mq_other.go"},
		{"internal/sem/open_linux.go", "internal/sem/open_other.go"},
		{"internal/sem/stat_linux.go", "internal/sem/stat_other.go"},
		{"internal/shm/shm_linux.go", "internal/shm/shm_other.go"},
		{"internal/sys/hostfile_linux.go", "internal/sys/hostfile_other.go"},
		{"internal/sys/arch_proven.go", "internal/sys/arch_unproven.go"},
	} {
		if got := files[pair[0]]; got != "linux && "+provenExpr {
			t.Errorf("%s: //go:build %q; want linux && %s", pair[0], got, provenExpr)
		}
		if got := files[pair[1]]; got != "!linux || !"+provenExpr {
			t.Errorf("%s: //go:build %q; want !linux || !%s", pair[1], got, provenExpr)
		}
	}
}

// Proven says what the build constraints chose.
func TestProvenIsThisPlatform(t *testing.T) {
	want := runtime.GOOS == "linux" && slices.Contains(ProvenArchs, runtime.GOARCH)
	if Proven != want {
		t.Errorf("Proven = %v on %s/%s, want %v", Proven, runtime.GOOS, runtime.GOARCH, want)
	}
}
