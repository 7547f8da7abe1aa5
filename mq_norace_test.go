//go:build !race

package ipcfs

const mqRaceEnabled = false
