// Conclusion is Mrs. Conclusion of posix_ipc's demo (demo/conclusion.py):
// she answers premise through the shared memory segment and semaphore
// premise created. Each ipcfs call below has the posix_ipc line it
// replaces beside it.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/conclusion [-params params.txt] [-q]
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
	os.Exit(conversation.Main("conclusion", conclusion, os.Args[1:], os.Stdout, os.Stderr))
}

func conclusion(ctx context.Context, p conversation.Params, o conversation.Options) (err error) {
	say := func(format string, args ...any) { o.Say("conclusion", format, args...) }
	say("Oooo 'ello, I'm Mrs. Conclusion!")

	// Mrs. Premise has already created the semaphore and shared memory.
	// semaphore = posix_ipc.Semaphore(params["SEMAPHORE_NAME"])
	sem, err := ipcfs.OpenSem(p.SemaphoreName, 0, 0, 0)
	if err != nil {
		return fmt.Errorf("opening the semaphore (is premise running?): %w", err)
	}
	defer func() { err = errors.Join(err, sem.Close()) }() // semaphore.close()
	// memory = posix_ipc.SharedMemory(params["SHARED_MEMORY_NAME"])
	// mapfile = mmap.mmap(memory.fd, memory.size)
	mem, err := ipcfs.OpenShm(p.SharedMemoryName, os.O_RDWR, 0, 0)
	if err != nil {
		return fmt.Errorf("opening the shared memory (is premise running?): %w", err)
	}
	defer func() { err = errors.Join(err, mem.Close()) }() // mapfile.close()

	// utils.write_to_memory(mapfile, s): a NUL-terminated string at offset 0.
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
	// semaphore.acquire(); semaphore.release(). acquire returns when ctx
	// ends (Ctrl-C).
	acquire := func() error {
		if p.LiveDangerously {
			return ctx.Err()
		}
		return sem.Acquire(ctx)
	}
	release := func() error {
		if p.LiveDangerously {
			return nil
		}
		return sem.Release()
	}

	wrote := ""
	for i := range p.Iterations {
		if err := acquire(); err != nil {
			return err
		}
		s, err := read()
		// while s == what_i_wrote: give Mrs. Premise another turn.
		for err == nil && s == wrote {
			if err = release(); err == nil {
				conversation.Yield()
				if err = acquire(); err == nil {
					s, err = read()
				}
			}
		}
		if err != nil {
			return err
		}
		// assert(s == hashlib.md5(what_i_wrote).hexdigest()), except for the
		// first message, the time, which is taken as it is.
		if i > 0 && s != conversation.Digest(wrote) {
			release()
			return fmt.Errorf("%w after %d iterations: read %q, want the digest of %q", conversation.ErrCorrupt, i, s, wrote)
		}
		// what_i_wrote = hashlib.md5(s).hexdigest(); utils.write_to_memory(mapfile, what_i_wrote)
		wrote = conversation.Digest(s)
		if err := write(wrote); err != nil {
			return err
		}
		// semaphore.release()
		if err := release(); err != nil {
			return err
		}
	}
	say("%d iterations complete", p.Iterations)
	return nil
}
