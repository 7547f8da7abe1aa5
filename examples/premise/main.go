// Premise is Mrs. Premise of posix_ipc's demo (demo/premise.py): she
// creates a shared memory segment and a semaphore and talks with
// conclusion through them. Each ipcfs call below has the posix_ipc line it
// replaces beside it.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/premise [-params params.txt] [-q]
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/examples/conversation"
)

func main() {
	os.Exit(conversation.Main("premise", premise, os.Args[1:], os.Stdout, os.Stderr))
}

func premise(ctx context.Context, p conversation.Params, o conversation.Options) (err error) {
	say := func(format string, args ...any) { o.Say("premise", format, args...) }
	say("Oooo 'ello, I'm Mrs. Premise!")

	// memory = posix_ipc.SharedMemory(params["SHARED_MEMORY_NAME"], posix_ipc.O_CREX, size=params["SHM_SIZE"])
	// mapfile = mmap.mmap(memory.fd, memory.size)
	mem, err := ipcfs.OpenShm(p.SharedMemoryName, os.O_RDWR|os.O_CREATE|os.O_EXCL, p.Permissions, p.ShmSize)
	if err != nil {
		return err
	}
	defer func() {
		// mapfile.close(); posix_ipc.unlink_shared_memory(params["SHARED_MEMORY_NAME"])
		err = errors.Join(err, mem.Close(), ipcfs.RemoveShm(p.SharedMemoryName))
	}()
	// semaphore = posix_ipc.Semaphore(params["SEMAPHORE_NAME"], posix_ipc.O_CREX)
	sem, err := ipcfs.OpenSem(p.SemaphoreName, os.O_CREATE|os.O_EXCL, p.Permissions, 0)
	if err != nil {
		return err
	}
	defer func() {
		// semaphore.unlink()
		err = errors.Join(err, sem.Close(), ipcfs.RemoveSem(p.SemaphoreName))
	}()

	// The segment holds a NUL-terminated string at offset 0.
	// utils.write_to_memory(mapfile, s)
	write := func(s string) error {
		_, err := mem.WriteAt(append([]byte(s), 0), 0)
		return err
	}
	// utils.read_from_memory(mapfile)
	buf := make([]byte, min(p.ShmSize, 4096))
	read := func() (string, error) {
		n, err := mem.ReadAt(buf, 0)
		if err != nil && n == 0 {
			return "", err
		}
		s, _, _ := bytes.Cut(buf[:n], []byte{0})
		return string(s), nil
	}
	// semaphore.release(); semaphore.acquire(): give Mrs. Conclusion a turn.
	// acquire returns when ctx ends (Ctrl-C), and the deferred calls remove
	// both objects.
	pass := func() error {
		if p.LiveDangerously {
			return ctx.Err()
		}
		if err := sem.Release(); err != nil {
			return err
		}
		conversation.Yield()
		return sem.Acquire(ctx)
	}

	// what_i_wrote = time.asctime(); utils.write_to_memory(mapfile, what_i_wrote)
	wrote := conversation.Seed()
	if err := write(wrote); err != nil {
		return err
	}
	for i := range p.Iterations {
		if err := pass(); err != nil {
			return err
		}
		s, err := read()
		// while s == what_i_wrote: keep passing the turn until she answers.
		for err == nil && s == wrote {
			if err = pass(); err == nil {
				s, err = read()
			}
		}
		if err != nil {
			return err
		}
		// assert(s == hashlib.md5(what_i_wrote).hexdigest())
		if s != conversation.Digest(wrote) {
			sem.Release()
			return fmt.Errorf("%w after %d iterations: read %q, want the digest of %q", conversation.ErrCorrupt, i, s, wrote)
		}
		// what_i_wrote = hashlib.md5(s).hexdigest(); utils.write_to_memory(mapfile, what_i_wrote)
		wrote = conversation.Digest(s)
		if err := write(wrote); err != nil {
			return err
		}
	}
	// Mrs. Conclusion has written her last reply and released for the last
	// time: this release only leaves the semaphore free (posix_ipc's demo
	// then sleeps five seconds and takes it back before removing it).
	if !p.LiveDangerously {
		if err := sem.Release(); err != nil {
			return err
		}
	}
	say("%d iterations complete", p.Iterations)
	return nil
}
