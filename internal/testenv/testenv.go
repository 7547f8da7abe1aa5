// Package testenv lets this module's tests run the same way natively and
// under a user-mode emulator (Debian's qemu-user), for test binaries built
// for another GOARCH:
//
//	IPCFS_TEST_EMULATOR=qemu-aarch64 GOARCH=arm64 go test -exec qemu-aarch64 ./...
//
// There is no binfmt handler on CI, so a foreign binary cannot be exec'ed
// directly ("exec format error"): tests start every child — the test binary
// re-run in a role, or a C peer built by BuildC — through Command or Argv,
// which put the emulator named by IPCFS_TEST_EMULATOR in front. The same
// variable tells tests what the emulator cannot do (SkipIfEmulated, with one
// of the reasons below) and that iteration counts should shrink (Size).
// Another architecture needs only another emulator and GOARCH
// (qemu-arm and GOARCH=arm, qemu-s390x and GOARCH=s390x, ...); the C
// compiler for its peers follows GOARCH (CC).
//
// Only tests import this package.
package testenv

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// EmulatorVar is the environment variable naming the emulator that runs
// the test binaries (a command on PATH, such as qemu-aarch64). Unset or
// empty: the tests run natively.
const EmulatorVar = "IPCFS_TEST_EMULATOR"

// CCVar is the environment variable that overrides the C compiler used by
// BuildC (a command and its flags, split on spaces).
const CCVar = "IPCFS_TEST_CC"

// Why tests skip under emulation: what qemu-user (7.2, Debian 12) does not
// do as the kernel does (docs: linux-ipc.md §12).
const (
	NoMqNotify      = "qemu-user does not implement mq_notify (ENOSYS)"
	NoFaultAddress  = "qemu-user delivers SIGBUS with fault address 0, so a fault cannot be told to be in the segment's mapping"
	NoGuestSyscalls = "/proc/self/task/TID/syscall shows qemu-user's own host system calls, not the guest's"
)

// Emulator returns the emulator named by IPCFS_TEST_EMULATOR, or "" when
// the tests run natively.
func Emulator() string { return os.Getenv(EmulatorVar) }

// Emulated reports whether the tests run under an emulator.
func Emulated() bool { return Emulator() != "" }

// SkipIfEmulated skips t with reason (one of the constants above, or as
// clear) when the tests run under an emulator, and does nothing natively.
func SkipIfEmulated(t testing.TB, reason string) {
	if Emulated() {
		t.Helper()
		t.Skipf("skipped under %s: %s", Emulator(), reason)
	}
}

// SkipExamplesIfEmulated makes the test run skip the tests and examples
// whose names match pattern (a -test.skip regular expression) when it runs
// under an emulator, saying why on stdout. An example cannot call t.Skip:
// call this from TestMain, before m.Run. It adds pattern to any -test.skip
// given on the command line.
func SkipExamplesIfEmulated(pattern, reason string) {
	if !Emulated() {
		return
	}
	if !flag.Parsed() {
		flag.Parse()
	}
	f := flag.Lookup("test.skip")
	if f == nil {
		panic("testenv: SkipExamplesIfEmulated called outside a test binary")
	}
	skip := pattern
	if old := f.Value.String(); old != "" {
		skip = "(" + old + ")|(" + pattern + ")"
	}
	if err := f.Value.Set(skip); err != nil {
		panic(err)
	}
	fmt.Printf("testenv: skipping %s under %s: %s\n", pattern, Emulator(), reason)
}

// Size returns native, or emulated when the tests run under an emulator
// (10-50 times slower): for iteration counts and stress sizes.
func Size(native, emulated int) int {
	if Emulated() {
		return emulated
	}
	return native
}

// Argv returns the argument vector that runs program, a binary built for
// the tests' GOARCH (this test binary, or a C peer from BuildC), with args:
// program and args natively, with the emulator in front under emulation.
// Use it where the command is wrapped in another (setpriv, unshare, sh -c).
func Argv(program string, args ...string) []string {
	argv := append([]string{program}, args...)
	if emu := Emulator(); emu != "" {
		argv = append([]string{emu}, argv...)
	}
	return argv
}

// Command is exec.Command for program, a binary built for the tests'
// GOARCH: see Argv.
func Command(program string, args ...string) *exec.Cmd {
	argv := Argv(program, args...)
	return exec.Command(argv[0], argv[1:]...)
}

// CommandContext is exec.CommandContext for program, a binary built for
// the tests' GOARCH: see Argv.
func CommandContext(ctx context.Context, program string, args ...string) *exec.Cmd {
	argv := Argv(program, args...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

// Executable returns the path the running test binary was started with
// (os.Args[0]; under qemu-user too, it is the guest binary), for re-running
// it as a child with Self, Command or Argv.
func Executable() string { return os.Args[0] }

// Self returns the command that re-runs this test binary with args
// (typically "-test.run=^$" and a role in the environment).
func Self(args ...string) *exec.Cmd { return Command(Executable(), args...) }

// crossTriplets names Debian's cross compiler (gcc-TRIPLET, with
// libc6-dev-ARCH-cross) for each GOARCH that may run under qemu-user.
var crossTriplets = map[string]string{
	"386":      "i686-linux-gnu",
	"amd64":    "x86_64-linux-gnu",
	"arm":      "arm-linux-gnueabihf",
	"arm64":    "aarch64-linux-gnu",
	"loong64":  "loongarch64-linux-gnu",
	"mips":     "mips-linux-gnu",
	"mipsle":   "mipsel-linux-gnu",
	"mips64":   "mips64-linux-gnuabi64",
	"mips64le": "mips64el-linux-gnuabi64",
	"ppc64":    "powerpc64-linux-gnu",
	"ppc64le":  "powerpc64le-linux-gnu",
	"riscv64":  "riscv64-linux-gnu",
	"s390x":    "s390x-linux-gnu",
}

// CC returns the C compiler command and flags that build peers for the
// tests' GOARCH: IPCFS_TEST_CC when set; natively gcc; under emulation
// Debian's cross compiler for GOARCH (aarch64-linux-gnu-gcc for arm64, ...)
// with -static, so the emulator needs no foreign sysroot to run the peer.
func CC() []string {
	if cc := strings.Fields(os.Getenv(CCVar)); len(cc) > 0 {
		return cc
	}
	if !Emulated() {
		return []string{"gcc"}
	}
	triplet, ok := crossTriplets[runtime.GOARCH]
	if !ok {
		triplet = runtime.GOARCH + "-linux-gnu"
	}
	return []string{triplet + "-gcc", "-static"}
}

// CCCommand returns the command that runs CC with args after CC's own
// flags (sources, -o, libraries).
func CCCommand(args ...string) *exec.Cmd {
	cc := CC()
	return exec.Command(cc[0], append(cc[1:len(cc):len(cc)], args...)...)
}

// BuildC compiles the C program src with CC into a directory removed when
// t ends and returns the binary's path; run it with Command. Extra
// arguments (libraries, -pthread) follow the source.
func BuildC(t testing.TB, src string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	cfile := filepath.Join(dir, "prog.c")
	if err := os.WriteFile(cfile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "prog")
	cmd := CCCommand(append([]string{"-O2", "-Wall", "-o", bin, cfile}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		hint := ""
		if Emulated() && len(strings.Fields(os.Getenv(CCVar))) == 0 {
			hint = " (install Debian's gcc-" + strings.TrimSuffix(CC()[0], "-gcc") + " and its libc6-dev-*-cross, or set " + CCVar + ")"
		}
		t.Fatalf("%v: %v%s\n%s", cmd.Args, err, hint, out)
	}
	return bin
}
