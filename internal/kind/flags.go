package kind

import (
	"os"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/sys"
)

// The open-flag policy of each kind: which bits it takes, what it does with
// the others, and what the access mode lets a handle do.

// accMode selects the access mode of an open flag.
const accMode = os.O_RDONLY | os.O_WRONLY | os.O_RDWR

type flagPolicy struct {
	takes  int    // the bits that mean something
	strict bool   // refuse other bits (queues, as mq_open's callers must) rather than ignore them
	only   string // the takes bits spelled out, for the error
	// access is what a handle opened with the access mode acc may do.
	access func(acc int) (read, write bool)
}

var (
	shmFlags = flagPolicy{
		takes: accMode | os.O_CREATE | os.O_EXCL | os.O_TRUNC,
		// A mapping needs read access: O_WRONLY opens read-write, as
		// posix_ipc's SharedMemory does.
		access: func(acc int) (bool, bool) { return true, acc != os.O_RDONLY },
	}
	mqFlags = flagPolicy{
		takes:  accMode | os.O_CREATE | os.O_EXCL | sys.O_NONBLOCK | syscall.O_CLOEXEC,
		strict: true,
		only:   "O_RDONLY, O_WRONLY, O_RDWR, O_CREATE, O_EXCL, O_NONBLOCK",
		access: func(acc int) (bool, bool) { return acc != os.O_WRONLY, acc != os.O_RDONLY },
	}
	semFlags = flagPolicy{
		takes: accMode | os.O_CREATE | os.O_EXCL,
		// sem_open ignores the access mode: a semaphore is always opened
		// for reading and writing.
		access: func(int) (bool, bool) { return true, true },
	}
)

// CheckFlags returns the error for an open flag k refuses: a queue refuses
// bits it does not take and O_WRONLY|O_RDWR; the other kinds ignore what
// they do not take. The error matches fs.ErrInvalid and syscall.EINVAL.
func (k *Kind) CheckFlags(flag int) error {
	if !k.flags.strict {
		return nil
	}
	if extra := flag &^ k.flags.takes; extra != 0 {
		return InvalidParam("flag %#o has bits a %s does not take (only %s)", extra, k.Title, k.flags.only)
	}
	if flag&accMode == accMode {
		return InvalidParam("flag has both O_WRONLY and O_RDWR")
	}
	return nil
}

// Takes returns the bits of flag that mean something for k: what a layer
// above a namespace (the afero mount) passes on, dropping the rest
// (O_APPEND, O_SYNC; O_TRUNC except for segments).
func (k *Kind) Takes(flag int) int { return flag & k.flags.takes }

// Access reports whether a handle opened with flag may read and write.
func (k *Kind) Access(flag int) (read, write bool) { return k.flags.access(flag & accMode) }
