package testenv

import (
	"runtime"
	"slices"
	"testing"
)

func TestNativeRunsProgramsThemselves(t *testing.T) {
	t.Setenv(EmulatorVar, "")
	t.Setenv(CCVar, "")
	if Emulated() {
		t.Fatal("Emulated with an empty " + EmulatorVar)
	}
	if got := Argv("/bin/peer", "a", "b"); !slices.Equal(got, []string{"/bin/peer", "a", "b"}) {
		t.Errorf("Argv = %q; want the program and its arguments", got)
	}
	if got := Command("/bin/peer", "a").Args; !slices.Equal(got, []string{"/bin/peer", "a"}) {
		t.Errorf("Command.Args = %q", got)
	}
	if got := Size(1000, 10); got != 1000 {
		t.Errorf("Size(1000, 10) = %d natively; want 1000", got)
	}
	if got := CC(); !slices.Equal(got, []string{"gcc"}) {
		t.Errorf("CC() = %q natively; want gcc", got)
	}
	SkipIfEmulated(t, "must not skip natively")
}

func TestEmulatedRunsProgramsThroughTheEmulator(t *testing.T) {
	t.Setenv(EmulatorVar, "qemu-test")
	t.Setenv(CCVar, "")
	if !Emulated() || Emulator() != "qemu-test" {
		t.Fatalf("Emulated() = %v, Emulator() = %q", Emulated(), Emulator())
	}
	if got := Argv("/bin/peer", "a"); !slices.Equal(got, []string{"qemu-test", "/bin/peer", "a"}) {
		t.Errorf("Argv = %q; want the emulator first", got)
	}
	if got := Self("-test.run=^$").Args; !slices.Equal(got, []string{"qemu-test", Executable(), "-test.run=^$"}) {
		t.Errorf("Self.Args = %q", got)
	}
	if got := Size(1000, 10); got != 10 {
		t.Errorf("Size(1000, 10) = %d under emulation; want 10", got)
	}
	cc := CC()
	if triplet, ok := crossTriplets[runtime.GOARCH]; ok && cc[0] != triplet+"-gcc" {
		t.Errorf("CC() = %q; want %s-gcc", cc, triplet)
	}
	if !slices.Contains(cc, "-static") {
		t.Errorf("CC() = %q; want -static, so the emulator needs no sysroot", cc)
	}
	t.Setenv(CCVar, "clang --target=x -O1")
	if got := CC(); !slices.Equal(got, []string{"clang", "--target=x", "-O1"}) {
		t.Errorf("CC() with %s set = %q", CCVar, got)
	}
}

func TestSkipIfEmulatedSkipsWithTheReason(t *testing.T) {
	t.Setenv(EmulatorVar, "qemu-test")
	ran := false
	t.Run("inner", func(t *testing.T) {
		SkipIfEmulated(t, NoMqNotify)
		ran = true
	})
	if ran {
		t.Error("SkipIfEmulated did not skip under emulation")
	}
}
