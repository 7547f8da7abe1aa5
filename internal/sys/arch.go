package sys

// The architectures whose layouts are proven.
//
// ipcfs speaks structures the kernel and glibc lay out differently on each
// architecture (struct mq_attr, struct sigevent, the timespecs of the
// time64 system calls, glibc's sem_t and its protocol). It runs only where
// tests have proven those layouts against C peers: amd64 natively; arm64,
// arm (32-bit), s390x (big-endian) and riscv64 under qemu-user, in
// .ci/run; ppc64le and loong64 share amd64's and riscv64's layouts (64-bit
// little-endian, syscall numbers from golang.org/x/sys/unix), which the
// layout tests check for every GOARCH. On every other architecture, as on
// every other operating system, the packages that make system calls
// (internal/shm, internal/mq, internal/sem, internal/futex and the host
// file calls here) are built from their stubs, and every open fails with
// errors.ErrUnsupported: never a silent guess.
//
// The choice is made by build constraints, one expression spelled the same
// in every file that needs it (TestProvenConstraintIsOneList checks):
//
//	//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)
//
// and its negation on the stubs. To add an architecture, prove it (run the
// interop tests under its emulator in .ci/run) and add it to every one.

// ProvenArchs lists the GOARCH values of the build constraint above, in
// its order.
var ProvenArchs = []string{"amd64", "arm64", "arm", "s390x", "riscv64", "ppc64le", "loong64"}
