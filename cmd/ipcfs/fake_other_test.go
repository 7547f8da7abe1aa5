//go:build !unix

package main

// fakeStat is the raw stat of every fake object: none where there is no
// syscall.Stat_t, so owners are unknown.
func fakeStat() any { return nil }
