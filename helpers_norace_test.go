//go:build linux && !race

package ipcfs

const mqRaceEnabled = false
