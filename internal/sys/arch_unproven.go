//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package sys

// Proven reports whether this GOOS/GOARCH is one whose layouts are proven
// (see ProvenArchs): here it is not, and the system-call packages are built
// from their stubs, which fail with errors.ErrUnsupported.
const Proven = false
