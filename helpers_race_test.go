//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && race

package ipcfs

// mqRaceEnabled is true under -race, where sync.Pool drops items at random
// and allocation counts mean nothing.
const mqRaceEnabled = true
