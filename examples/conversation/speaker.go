package conversation

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
)

// ErrCorrupt is returned, wrapped with the iteration and both strings, when
// a speaker reads something other than the digest of what it wrote last.
var ErrCorrupt = errors.New("conversation corrupted")

// Options are the parts of a conversation that are not in params.txt.
type Options struct {
	// Namespace holds the objects; nil means the host's (ipcfs.New()).
	Namespace ipcfs.Namespace
	// Progress, when set, is called after every verified round trip with the
	// number verified so far.
	Progress func(done int)
	// Created, when set, is called by a premise once it has created its
	// objects and written its opening line, before it first waits for the
	// other side: the moment to start the conclusion.
	Created func()
	// Log, when set, receives a few lines about what the speaker does (its
	// greeting, the objects it opens or removes, the final count).
	Log io.Writer
}

func (o Options) ns() ipcfs.Namespace {
	if o.Namespace == nil {
		return ipcfs.New()
	}
	return o.Namespace
}

// Say prints one line of what the speaker who does, as posix_ipc's demos do
// ("premise@1700000000.123456: ..."), to Log if it is set.
func (o Options) Say(who, format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "%s@%.6f: %s\n", who, float64(time.Now().UnixMicro())/1e6, fmt.Sprintf(format, args...))
	}
}

func (o Options) created() {
	if o.Created != nil {
		o.Created()
	}
}

func (o Options) progress(done int) {
	if o.Progress != nil {
		o.Progress(done)
	}
}

// Digest returns the MD5 hex digest of s: the reply to s.
func Digest(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Seed returns Premise's opening line, the current time as C's asctime
// writes it (without the newline).
func Seed() string { return time.Now().Format("Mon Jan _2 15:04:05 2006") }

func corrupt(i int, got, wrote string) error {
	return fmt.Errorf("%w after %d iterations: read %q, want the digest of %q (%s)",
		ErrCorrupt, i, got, wrote, Digest(wrote))
}

// objectPath returns the namespace path of name in dir ("shm", "sem", "mq").
func objectPath(dir, name string) (string, error) {
	clean, err := backend.CleanName(dir, name)
	if err != nil {
		return "", fmt.Errorf("%s name %q: %w", dir, name, err)
	}
	return dir + "/" + clean, nil
}

// removeObject removes name from dir of ns.
func removeObject(ns ipcfs.Namespace, dir, name string) error {
	p, err := objectPath(dir, name)
	if err != nil {
		return err
	}
	return ns.Remove(p)
}

// Objects returns the namespace paths ("shm/x", "sem/y", "mq/z") of the
// objects Premise creates for transport "shm" or "mq".
func Objects(p Params, transport string) ([]string, error) {
	var pairs [][2]string
	switch transport {
	case "shm":
		pairs = [][2]string{{"shm", p.SharedMemoryName}, {"sem", p.SemaphoreName}}
	case "mq":
		pairs = [][2]string{{"mq", p.MessageQueueName}}
	default:
		return nil, fmt.Errorf("unknown transport %q (want shm or mq)", transport)
	}
	var paths []string
	for _, pair := range pairs {
		path, err := objectPath(pair[0], pair[1])
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// CheckRemoved returns nil when none of the objects of transport exists in
// ns (each open fails with fs.ErrNotExist), else an error naming those that
// remain.
func CheckRemoved(ns ipcfs.Namespace, p Params, transport string) error {
	if ns == nil {
		ns = ipcfs.New()
	}
	paths, err := Objects(p, transport)
	if err != nil {
		return err
	}
	var errs []error
	for _, path := range paths {
		f, err := ns.OpenFile(path, 0, 0)
		if err == nil {
			f.Close()
			errs = append(errs, fmt.Errorf("%s still exists", path))
		} else if !errors.Is(err, errNotExist) {
			errs = append(errs, fmt.Errorf("checking %s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}
