package kind

// HostNames is the one place in this package that reads the host: the host
// namespace's listings (ReadDir, Unlisted) and the command-line tool read a
// kind's directory through it, names io/fs cannot carry included (package
// ipcfs's ReadDir leaves those out).

import (
	"os"
	"slices"
)

// HostNames returns the names of every object of kind k in its host
// directory (HostDir), sorted bytewise, including names that are not valid
// io/fs path elements (not UTF-8): ReadDir leaves those out, while the
// POSIX-name calls (OpenShm, RemoveShm, ...) still reach them. Files that
// hold no object of k ("sem.x" for segments, names Clean refuses) are left
// out. For queues the caller must know that the mqueue file system is
// mounted at MqueueDir: HostNames reads whatever directory is there.
func (k *Kind) HostNames() ([]string, error) {
	d, err := os.Open(k.hostDir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	hostNames, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(hostNames))
	for _, hn := range hostNames {
		if n, ok := k.FromHostName(hn); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}
