package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// demoNamePrefix starts the name of every object the demo creates:
// ipcfs-demo-PID-RANDOM-KIND, where PID and RANDOM make a run's names its
// own and KIND is shm, sem or mq, or lock for the segment whose flock the
// run holds while it lives (demoAcquireLock).
const demoNamePrefix = "ipcfs-demo-"

var demoNameRE = regexp.MustCompile(`^(ipcfs-demo-[0-9]+-[A-Za-z0-9]+)-(shm|sem|mq|lock)$`)

// demoBaseName returns this run's name stem, without a slash.
func demoBaseName() string {
	return fmt.Sprintf("%s%d-%s", demoNamePrefix, os.Getpid(), kind.RandomName(6))
}

// demoRemoveStale removes the objects of other demo runs that are over and
// returns their paths. A run is over when this process can take its lock:
// its owner holds the lock for as long as it lives, and the kernel drops it
// when the owner dies, however it dies. A pid says nothing across PID
// namespaces, and a run whose lock file cannot be seen (it lives in another
// /dev/shm) is never taken for dead: its objects are left alone. own is this
// run's base name. Listing errors (such as queues when /dev/mqueue is not
// mounted) are ignored: names are unique per run, so a stale object never
// gets in the way.
func demoRemoveStale(ns *ipcfs.FS, own string) []string {
	objects := map[string][]string{} // base name -> paths of its objects
	for _, k := range kind.All {
		entries, err := ns.ReadDir(k.Dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			m := demoNameRE.FindStringSubmatch(e.Name())
			if m == nil || m[1] == own {
				continue
			}
			paths := objects[m[1]]
			if m[2] != "lock" {
				paths = append(paths, k.Dir+"/"+e.Name())
			}
			objects[m[1]] = paths
		}
	}
	removed := []string{}
	bases := make([]string, 0, len(objects))
	for b := range objects {
		bases = append(bases, b)
	}
	slices.Sort(bases)
	for _, base := range bases {
		lock := demoTryLock(base)
		if lock == nil {
			continue // alive, or its lock is out of sight
		}
		for _, p := range objects[base] {
			if ns.Remove(p) == nil {
				removed = append(removed, p)
			}
		}
		if lock.release() == nil {
			removed = append(removed, "shm/"+base+"-lock")
		}
	}
	return removed
}
