//go:build !race

package ipcfs

const raceEnabled = false
