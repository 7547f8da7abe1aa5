// Package kind is the one description of the three kinds of POSIX IPC
// object (shared memory segments, message queues, named semaphores) that
// every implementation of an ipcfs namespace dispatches through: the host
// namespace (package ipcfs), its in-memory twin (fstest.MemFS), the afero
// mount and the command-line tool. Each kind's directory, name rules, host
// files, open-flag policy, file-info shape and the texts of the errors they
// share live here once, so no two implementations can disagree on them.
//
// Nothing here makes a system call (except HostNames, which reads a host
// directory's names): the kernel's side of each kind is in internal/shm,
// internal/mq and internal/sem.
package kind

// Kind describes one kind of IPC object. The three values are Shm, Mq and
// Sem; compare kinds by pointer, and index per-implementation tables by ID.
type Kind struct {
	// ID is ShmID, MqID or SemID: an index for tables of [Count] entries.
	ID int
	// Dir is the namespace directory holding the objects ("shm", "mq",
	// "sem"), and the word the command-line tool uses.
	Dir string
	// Title names the kind in messages ("shared memory segment").
	Title string
	// Consumes reports that reading the object through a handle takes
	// something from it (a queue's Read receives a message, a semaphore's
	// acquires a unit). Opening such an object to look, as fs.FS's Open
	// does, gives its status text instead (see Status); a segment opened so
	// is the segment, read-only.
	Consumes bool
	// MaxLen is the longest name, without the leading slash.
	MaxLen int
	// NeedsMount reports that objects of the kind are listed, stat'ed and
	// changed by path only where a file system is mounted for them (queues:
	// the mqueue file system at /dev/mqueue); the objects themselves work
	// without it.
	NeedsMount bool

	hostDir    string // where the host keeps the objects' files
	hostPrefix string // what glibc puts before the name in that directory
	reserved   string // a name prefix the kind refuses (shm: glibc's "sem.")
	flags      flagPolicy
}

// IDs of the kinds, and how many there are.
const (
	ShmID = iota
	MqID
	SemID
	Count
)

// The three kinds.
var (
	Shm = &Kind{
		ID: ShmID, Dir: "shm", Title: "shared memory segment", MaxLen: 255,
		hostDir: ShmDir, reserved: SemPrefix, flags: shmFlags,
	}
	Mq = &Kind{
		ID: MqID, Dir: "mq", Title: "message queue", Consumes: true, MaxLen: 255,
		NeedsMount: true, hostDir: MqueueDir, flags: mqFlags,
	}
	Sem = &Kind{
		ID: SemID, Dir: "sem", Title: "named semaphore", Consumes: true, MaxLen: 255 - len(SemPrefix),
		hostDir: ShmDir, hostPrefix: SemPrefix, flags: semFlags,
	}
)

// All lists the kinds by ID: shm, mq, sem.
var All = [Count]*Kind{Shm, Mq, Sem}

// Lookup returns the kind whose directory is dir.
func Lookup(dir string) (*Kind, bool) {
	for _, k := range All {
		if k.Dir == dir {
			return k, true
		}
	}
	return nil, false
}

// String returns the kind's directory.
func (k *Kind) String() string { return k.Dir }
