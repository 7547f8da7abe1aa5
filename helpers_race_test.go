//go:build linux && race

package ipcfs

// mqRaceEnabled is true under -race, where sync.Pool drops items at random
// and allocation counts mean nothing.
const mqRaceEnabled = true
