//go:build !unix && !plan9

package mount

import "io/fs"

// fileID reports false: no host files here.
func fileID(fs.FileInfo) (fileInfoID, bool) { return fileInfoID{}, false }
