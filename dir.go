package ipcfs

// The host namespace's directories: listing each kind's objects from the
// host directory that holds their files.

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/ipcfs/ipcfs/internal/kind"
	"github.com/ipcfs/ipcfs/internal/mq"
)

// listKind returns the entries for every object of kind k on the host,
// sorted by name. Objects that vanish while listing, and files that are not
// objects of k, are left out.
func listKind(k *kind.Kind) ([]fs.DirEntry, error) {
	if k.NeedsMount && !mq.Mounted() {
		return nil, ErrMqueueNotMounted
	}
	hostNames, err := readDirNames(k.HostDir())
	if err != nil {
		return nil, err
	}
	var entries []fs.DirEntry
	for _, hn := range hostNames {
		n, ok := k.FromHostName(hn)
		if !ok {
			continue
		}
		fi, err := host(k).stat(n)
		if err != nil {
			continue // vanished, not ours (a directory, a symlink) or unreadable
		}
		entries = append(entries, fs.FileInfoToDirEntry(fi))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

func readDirNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer d.Close()
	list, err := d.Readdirnames(-1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return list, nil
}
