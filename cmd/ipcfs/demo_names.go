package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// demoNamePrefix starts the name of every object the demo creates:
// ipcfs-demo-PID-RANDOM-KIND, so that a run can tell its objects from another
// run's, and a dead run's from a live one's.
const demoNamePrefix = "ipcfs-demo-"

var demoNameRE = regexp.MustCompile(`^ipcfs-demo-([0-9]+)-[A-Za-z0-9]+-(shm|sem|mq)$`)

// demoBaseName returns this run's name stem, with a leading slash.
func demoBaseName() string {
	return fmt.Sprintf("/%s%d-%s", demoNamePrefix, os.Getpid(), kind.RandomName(6))
}

// demoRemoveStale removes the objects of earlier demo runs whose process is
// gone (killed before it could clean up) and returns their paths. Listing
// errors (such as queues when /dev/mqueue is not mounted) are ignored: names
// are unique per run, so a stale object never gets in the way.
func demoRemoveStale(ns *ipcfs.FS) []string {
	removed := []string{}
	for _, k := range kind.All {
		dir := k.Dir
		entries, err := ns.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			m := demoNameRE.FindStringSubmatch(e.Name())
			if m == nil {
				continue
			}
			pid, err := strconv.Atoi(m[1])
			if err != nil || pid == os.Getpid() || demoProcessAlive(pid) {
				continue
			}
			if ns.Remove(dir+"/"+e.Name()) == nil {
				removed = append(removed, dir+"/"+e.Name())
			}
		}
	}
	return removed
}
