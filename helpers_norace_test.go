//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64) && !race

package ipcfs

const mqRaceEnabled = false
