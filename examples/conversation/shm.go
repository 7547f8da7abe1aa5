package conversation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ipcfs/ipcfs"
)

var errNotExist = fs.ErrNotExist

// shmMaxRead bounds how much of the segment a speaker reads each turn: the
// strings are 32-byte digests or a time string.
const shmMaxRead = 4096

// shmTalk is one speaker's end of the shared memory conversation.
type shmTalk struct {
	mem  ipcfs.Shm
	sem  ipcfs.Sem
	p    Params
	buf  []byte
	wbuf []byte
}

func newShmTalk(mem ipcfs.Shm, sem ipcfs.Sem, p Params) *shmTalk {
	return &shmTalk{mem: mem, sem: sem, p: p, buf: make([]byte, min(p.ShmSize, shmMaxRead))}
}

// read returns the NUL-terminated string at offset 0 (all of the buffer when
// there is no NUL).
func (t *shmTalk) read() (string, error) {
	n, err := t.mem.ReadAt(t.buf, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
		return "", err
	}
	b := t.buf[:n]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b), nil
}

// write stores s and a NUL at offset 0.
func (t *shmTalk) write(s string) error {
	t.wbuf = append(append(t.wbuf[:0], s...), 0)
	_, err := t.mem.WriteAt(t.wbuf, 0)
	return err
}

func (t *shmTalk) acquire(ctx context.Context) error {
	if t.p.LiveDangerously {
		return ctx.Err()
	}
	return t.sem.Acquire(ctx)
}

func (t *shmTalk) release() error {
	if t.p.LiveDangerously {
		return nil
	}
	return t.sem.Release()
}

// pass gives the other side a turn: release, then wait to acquire again.
func (t *shmTalk) pass(ctx context.Context) error {
	if err := t.release(); err != nil {
		return err
	}
	Yield()
	return t.acquire(ctx)
}

// readNew passes the turn until the memory holds something other than last,
// and returns it. The caller holds the semaphore on entry and on return.
func (t *shmTalk) readNew(ctx context.Context, last string) (string, error) {
	for {
		s, err := t.read()
		if err != nil || s != last {
			return s, err
		}
		if err := t.pass(ctx); err != nil {
			return "", err
		}
	}
}

// ShmPremise speaks first over shared memory and a semaphore (posix_ipc
// demo1's premise): it creates the segment (SHM_SIZE bytes) and the
// semaphore (value 0) with O_EXCL, writes the current time, then for
// ITERATIONS round trips passes the turn, checks the reply is the digest of
// what it wrote, and writes the digest of the reply. It removes both objects
// before returning, also on error or when ctx ends (the error is then
// ctx.Err()). It returns ErrCorrupt (wrapped) on a wrong reply.
func ShmPremise(ctx context.Context, p Params, o Options) (err error) {
	const who = "premise"
	if err := p.Validate(); err != nil {
		return err
	}
	ns := o.ns()
	o.Say(who, "Oooo 'ello, I'm Mrs. Premise!")
	mem, err := ns.OpenShm(p.SharedMemoryName, os.O_RDWR|os.O_CREATE|os.O_EXCL, p.Permissions, p.ShmSize)
	if err != nil {
		return fmt.Errorf("creating the shared memory: %w", err)
	}
	defer func() {
		err = errors.Join(err, mem.Close(), removeObject(ns, "shm", p.SharedMemoryName))
	}()
	sem, err := ns.OpenSem(p.SemaphoreName, os.O_RDWR|os.O_CREATE|os.O_EXCL, p.Permissions, 0)
	if err != nil {
		return fmt.Errorf("creating the semaphore: %w", err)
	}
	defer func() {
		err = errors.Join(err, sem.Close(), removeObject(ns, "sem", p.SemaphoreName))
	}()
	o.Say(who, "created shm %s (%d bytes) and sem %s", p.SharedMemoryName, p.ShmSize, p.SemaphoreName)

	t := newShmTalk(mem, sem, p)
	wrote := Seed()
	if err := t.write(wrote); err != nil {
		return err
	}
	o.created()
	for i := 0; i < p.Iterations; i++ {
		if err := t.pass(ctx); err != nil {
			return err
		}
		s, err := t.readNew(ctx, wrote)
		if err != nil {
			return err
		}
		if s != Digest(wrote) {
			t.release()
			return corrupt(i, s, wrote)
		}
		o.progress(i + 1)
		wrote = Digest(s)
		if err := t.write(wrote); err != nil {
			return err
		}
	}
	// Conclusion has written her last reply and released for the last time;
	// this final release only leaves the semaphore free, as posix_ipc's does.
	if err := t.release(); err != nil {
		return err
	}
	o.Say(who, "%d iterations complete; removing the semaphore and the shared memory", p.Iterations)
	return nil
}

// ShmConclusion answers over shared memory and a semaphore (posix_ipc
// demo1's conclusion): it opens the objects Premise created (fs.ErrNotExist
// if Premise has not started), then for ITERATIONS round trips waits for the
// semaphore, checks what it reads is the digest of what it wrote last (the
// first message, Premise's time, is taken as it is), writes the digest of it
// and releases. It removes nothing.
func ShmConclusion(ctx context.Context, p Params, o Options) (err error) {
	const who = "conclusion"
	if err := p.Validate(); err != nil {
		return err
	}
	ns := o.ns()
	o.Say(who, "Oooo 'ello, I'm Mrs. Conclusion!")
	sem, err := ns.OpenSem(p.SemaphoreName, os.O_RDWR, 0, 0)
	if err != nil {
		return fmt.Errorf("opening the semaphore (is premise running?): %w", err)
	}
	defer func() { err = errors.Join(err, sem.Close()) }()
	mem, err := ns.OpenShm(p.SharedMemoryName, os.O_RDWR, 0, 0)
	if err != nil {
		return fmt.Errorf("opening the shared memory (is premise running?): %w", err)
	}
	defer func() { err = errors.Join(err, mem.Close()) }()

	t := newShmTalk(mem, sem, p)
	wrote := ""
	for i := 0; i < p.Iterations; i++ {
		if err := t.acquire(ctx); err != nil {
			return err
		}
		s, err := t.readNew(ctx, wrote)
		if err != nil {
			return err
		}
		if i > 0 && s != Digest(wrote) {
			t.release()
			return corrupt(i, s, wrote)
		}
		o.progress(i + 1)
		wrote = Digest(s)
		if err := t.write(wrote); err != nil {
			return err
		}
		if err := t.release(); err != nil {
			return err
		}
	}
	o.Say(who, "%d iterations complete", p.Iterations)
	return nil
}
