//go:build !linux

package sys

import "io/fs"

// OpenRefused reports false: host files are implemented for Linux only.
func OpenRefused(string, error) (fs.FileMode, bool) { return 0, false }
