//go:build race

package ipcfs

// raceEnabled is true under -race, which limits a process to 8,128 live
// goroutines.
const raceEnabled = true
