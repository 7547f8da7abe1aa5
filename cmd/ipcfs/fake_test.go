package main

// This file holds fakeNS, a small in-memory ipcfs.Namespace, so the
// commands can be tested without the host's IPC objects. It implements
// what the commands use; the rest returns errors.ErrUnsupported.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ipcfs/ipcfs"
)

type fakeNS struct {
	mu  sync.Mutex
	shm map[string]*fakeShmObj
	mq  map[string]*fakeMqObj
	sem map[string]*fakeSemObj
	// changed is closed and replaced whenever a queue or semaphore
	// changes, waking every waiter to look again.
	changed chan struct{}
	// mqNotMounted makes ReadDir("mq") fail as the host does without
	// /dev/mqueue (Stat still works, as on the host).
	mqNotMounted bool
}

type fakeShmObj struct {
	data  []byte
	mode  fs.FileMode
	mtime time.Time
}

type fakeMsg struct {
	data []byte
	prio uint
}

type fakeMqObj struct {
	msgs  []fakeMsg
	attr  ipcfs.MqAttr
	mode  fs.FileMode
	mtime time.Time
}

type fakeSemObj struct {
	value int
	mode  fs.FileMode
	mtime time.Time
}

var fakeTime = time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC)

func newFakeNS() *fakeNS {
	return &fakeNS{
		shm:     map[string]*fakeShmObj{},
		mq:      map[string]*fakeMqObj{},
		sem:     map[string]*fakeSemObj{},
		changed: make(chan struct{}),
	}
}

// notify wakes every waiter; call with mu held.
func (n *fakeNS) notify() {
	close(n.changed)
	n.changed = make(chan struct{})
}

func fakeErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (n *fakeNS) info(kind, name string) (fs.FileInfo, bool) {
	switch kind {
	case "shm":
		if o, ok := n.shm[name]; ok {
			return ipcfs.NewFileInfo(name, int64(len(o.data)), o.mode, o.mtime, fakeStat()), true
		}
	case "mq":
		if o, ok := n.mq[name]; ok {
			attr := o.attr
			attr.CurMessages = int64(len(o.msgs))
			var size int64
			for _, m := range o.msgs {
				size += int64(len(m.data))
			}
			return ipcfs.NewFileInfo(name, size, o.mode|fs.ModeIrregular, o.mtime, ipcfs.MqInfo{Attr: attr, Stat: fakeStat()}), true
		}
	case "sem":
		if o, ok := n.sem[name]; ok {
			return ipcfs.NewFileInfo(name, int64(o.value), o.mode|fs.ModeIrregular, o.mtime, ipcfs.SemInfo{Value: o.value, Stat: fakeStat()}), true
		}
	}
	return nil, false
}

func (n *fakeNS) Open(p string) (fs.File, error) {
	return nil, fakeErr("open", p, errors.ErrUnsupported)
}

func (n *fakeNS) ReadDir(p string) ([]fs.DirEntry, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var keys []string
	switch p {
	case "shm":
		for k := range n.shm {
			keys = append(keys, k)
		}
	case "mq":
		if n.mqNotMounted {
			return nil, fakeErr("readdir", p, ipcfs.ErrMqueueNotMounted)
		}
		for k := range n.mq {
			keys = append(keys, k)
		}
	case "sem":
		for k := range n.sem {
			keys = append(keys, k)
		}
	default:
		return nil, fakeErr("readdir", p, fs.ErrNotExist)
	}
	slices.Sort(keys)
	var des []fs.DirEntry
	for _, k := range keys {
		fi, _ := n.info(p, k)
		des = append(des, fs.FileInfoToDirEntry(fi))
	}
	return des, nil
}

func (n *fakeNS) Stat(p string) (fs.FileInfo, error) {
	dir, name, err := ipcfs.SplitPath("stat", p)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if fi, ok := n.info(dir, strings.TrimPrefix(name, "/")); ok {
		return fi, nil
	}
	return nil, fakeErr("stat", p, fs.ErrNotExist)
}

func (n *fakeNS) OpenFile(p string, flag int, perm fs.FileMode) (ipcfs.File, error) {
	return nil, fakeErr("open", p, errors.ErrUnsupported)
}

func (n *fakeNS) Remove(p string) error {
	dir, name, err := ipcfs.SplitPath("remove", p)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.info(dir, name); !ok {
		return fakeErr("remove", p, fs.ErrNotExist)
	}
	switch dir {
	case "shm":
		delete(n.shm, name)
	case "mq":
		delete(n.mq, name)
	case "sem":
		delete(n.sem, name)
	}
	return nil
}

func (n *fakeNS) CreateTemp(dir, pattern string) (ipcfs.File, error) {
	return nil, fakeErr("createtemp", dir, errors.ErrUnsupported)
}

func (n *fakeNS) Chmod(p string, mode fs.FileMode) error {
	return fakeErr("chmod", p, errors.ErrUnsupported)
}

func (n *fakeNS) Chown(p string, uid, gid int) error {
	return fakeErr("chown", p, errors.ErrUnsupported)
}

func (n *fakeNS) Chtimes(p string, atime, mtime time.Time) error {
	return fakeErr("chtimes", p, errors.ErrUnsupported)
}

// openCheck applies the O_CREATE/O_EXCL rules; create makes the object.
func openCheck(name string, exists bool, flag int, create func()) error {
	switch {
	case exists && flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return fakeErr("open", name, fs.ErrExist)
	case !exists && flag&os.O_CREATE == 0:
		return fakeErr("open", name, fs.ErrNotExist)
	case !exists:
		create()
	}
	return nil
}

func (n *fakeNS) OpenShm(name string, flag int, perm fs.FileMode, size int64) (ipcfs.SharedMemory, error) {
	name = strings.TrimPrefix(name, "/")
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.shm[name]
	err := openCheck(name, ok, flag, func() { n.shm[name] = &fakeShmObj{mode: perm, mtime: fakeTime} })
	if err != nil {
		return nil, err
	}
	o := n.shm[name]
	if size > 0 {
		o.data = resize(o.data, size)
	}
	return &fakeShm{ns: n, obj: o, name: "/" + name, ro: flag&(os.O_WRONLY|os.O_RDWR) == 0}, nil
}

func (n *fakeNS) OpenMq(name string, flag int, perm fs.FileMode, attr *ipcfs.MqAttr) (ipcfs.MessageQueue, error) {
	name = strings.TrimPrefix(name, "/")
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.mq[name]
	a := ipcfs.MqAttr{MaxMessages: 10, MessageSize: 8192}
	if attr != nil {
		a = ipcfs.MqAttr{MaxMessages: attr.MaxMessages, MessageSize: attr.MessageSize}
	}
	err := openCheck(name, ok, flag, func() { n.mq[name] = &fakeMqObj{attr: a, mode: perm, mtime: fakeTime} })
	if err != nil {
		return nil, err
	}
	return &fakeMq{ns: n, obj: n.mq[name], name: "/" + name}, nil
}

func (n *fakeNS) OpenSem(name string, flag int, perm fs.FileMode, value uint32) (ipcfs.Semaphore, error) {
	name = strings.TrimPrefix(name, "/")
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.sem[name]
	err := openCheck(name, ok, flag, func() { n.sem[name] = &fakeSemObj{value: int(value), mode: perm, mtime: fakeTime} })
	if err != nil {
		return nil, err
	}
	return &fakeSem{ns: n, obj: n.sem[name], name: "/" + name}, nil
}

func resize(b []byte, size int64) []byte {
	if int64(len(b)) >= size {
		return b[:size]
	}
	return append(b, make([]byte, size-int64(len(b)))...)
}

// wait waits, with mu held, for a change or the end of ctx.
func (n *fakeNS) wait(ctx context.Context) error {
	ch := n.changed
	n.mu.Unlock()
	defer n.mu.Lock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type fakeShm struct {
	ns     *fakeNS
	obj    *fakeShmObj
	name   string
	off    int64
	ro     bool
	closed bool
}

func (s *fakeShm) check(op string) error {
	if s.closed {
		return fakeErr(op, s.name, fs.ErrClosed)
	}
	return nil
}

func (s *fakeShm) Name() string { return s.name }

func (s *fakeShm) Stat() (fs.FileInfo, error) {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	return ipcfs.NewFileInfo(s.name[1:], int64(len(s.obj.data)), s.obj.mode, s.obj.mtime, fakeStat()), s.check("stat")
}

func (s *fakeShm) Close() error {
	if err := s.check("close"); err != nil {
		return err
	}
	s.closed = true
	return nil
}

func (s *fakeShm) ReadAt(p []byte, off int64) (int, error) {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	if err := s.check("read"); err != nil {
		return 0, err
	}
	if off >= int64(len(s.obj.data)) {
		return 0, io.EOF
	}
	n := copy(p, s.obj.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *fakeShm) WriteAt(p []byte, off int64) (int, error) {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	if err := s.check("write"); err != nil {
		return 0, err
	}
	if s.ro {
		return 0, fakeErr("write", s.name, syscall.EBADF)
	}
	if end := off + int64(len(p)); end > int64(len(s.obj.data)) {
		s.obj.data = resize(s.obj.data, end)
	}
	return copy(s.obj.data[off:], p), nil
}

func (s *fakeShm) Read(p []byte) (int, error) {
	n, err := s.ReadAt(p, s.off)
	s.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func (s *fakeShm) Write(p []byte) (int, error) {
	n, err := s.WriteAt(p, s.off)
	s.off += int64(n)
	return n, err
}

func (s *fakeShm) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += s.off
	case io.SeekEnd:
		size, _ := s.Size()
		off += size
	}
	s.off = off
	return off, nil
}

func (s *fakeShm) ReadFrom(r io.Reader) (int64, error) {
	b, err := io.ReadAll(r)
	n, werr := s.Write(b)
	if err == nil {
		err = werr
	}
	return int64(n), err
}

func (s *fakeShm) WriteTo(w io.Writer) (int64, error) {
	s.ns.mu.Lock()
	if err := s.check("read"); err != nil {
		s.ns.mu.Unlock()
		return 0, err
	}
	b := slices.Clone(s.obj.data[min(s.off, int64(len(s.obj.data))):])
	s.ns.mu.Unlock()
	n, err := w.Write(b)
	s.off += int64(n)
	return int64(n), err
}

func (s *fakeShm) Size() (int64, error) {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	return int64(len(s.obj.data)), s.check("size")
}

func (s *fakeShm) Truncate(size int64) error {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	s.obj.data = resize(s.obj.data, size)
	return s.check("truncate")
}

func (s *fakeShm) Sync() error { return s.check("sync") }

type fakeMq struct {
	ns          *fakeNS
	obj         *fakeMqObj
	name        string
	nonblocking bool
	prio        uint
}

func (q *fakeMq) Name() string { return q.name }

func (q *fakeMq) Stat() (fs.FileInfo, error) {
	q.ns.mu.Lock()
	defer q.ns.mu.Unlock()
	fi, _ := q.ns.info("mq", q.name[1:])
	return fi, nil
}

func (q *fakeMq) Close() error { return nil }

func (q *fakeMq) Read(p []byte) (int, error) {
	n, _, err := q.Receive(context.Background(), p)
	return n, err
}

func (q *fakeMq) Write(p []byte) (int, error) {
	if err := q.Send(context.Background(), p, q.prio); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (q *fakeMq) Send(ctx context.Context, msg []byte, prio uint) error {
	q.ns.mu.Lock()
	defer q.ns.mu.Unlock()
	if int64(len(msg)) > q.obj.attr.MessageSize {
		return fakeErr("send", q.name, syscall.EMSGSIZE)
	}
	for int64(len(q.obj.msgs)) >= q.obj.attr.MaxMessages {
		if q.nonblocking {
			return fakeErr("send", q.name, ipcfs.ErrWouldBlock)
		}
		if err := q.ns.wait(ctx); err != nil {
			return err
		}
	}
	// Highest priority first, FIFO within a priority.
	i := len(q.obj.msgs)
	for i > 0 && q.obj.msgs[i-1].prio < prio {
		i--
	}
	q.obj.msgs = slices.Insert(q.obj.msgs, i, fakeMsg{slices.Clone(msg), prio})
	q.ns.notify()
	return nil
}

func (q *fakeMq) Receive(ctx context.Context, buf []byte) (int, uint, error) {
	q.ns.mu.Lock()
	defer q.ns.mu.Unlock()
	for len(q.obj.msgs) == 0 {
		if q.nonblocking {
			return 0, 0, fakeErr("receive", q.name, ipcfs.ErrWouldBlock)
		}
		if err := q.ns.wait(ctx); err != nil {
			return 0, 0, err
		}
	}
	m := q.obj.msgs[0]
	if len(buf) < len(m.data) {
		return 0, 0, fakeErr("receive", q.name, io.ErrShortBuffer)
	}
	q.obj.msgs = q.obj.msgs[1:]
	q.ns.notify()
	return copy(buf, m.data), m.prio, nil
}

func (q *fakeMq) Attr() (ipcfs.MqAttr, error) {
	q.ns.mu.Lock()
	defer q.ns.mu.Unlock()
	a := q.obj.attr
	a.CurMessages = int64(len(q.obj.msgs))
	a.Nonblocking = q.nonblocking
	return a, nil
}

func (q *fakeMq) SetNonblocking(nb bool) error     { q.nonblocking = nb; return nil }
func (q *fakeMq) SetPriority(prio uint) error      { q.prio = prio; return nil }
func (q *fakeMq) SetDeadline(time.Time) error      { return errors.ErrUnsupported }
func (q *fakeMq) SetReadDeadline(time.Time) error  { return errors.ErrUnsupported }
func (q *fakeMq) SetWriteDeadline(time.Time) error { return errors.ErrUnsupported }
func (q *fakeMq) Notify(func()) error              { return errors.ErrUnsupported }
func (q *fakeMq) CancelNotify() error              { return errors.ErrUnsupported }

type fakeSem struct {
	ns   *fakeNS
	obj  *fakeSemObj
	name string
}

func (s *fakeSem) Name() string { return s.name }

func (s *fakeSem) Stat() (fs.FileInfo, error) { return s.ns.Stat("sem/" + s.name[1:]) }

func (s *fakeSem) Close() error { return nil }

func (s *fakeSem) Read(p []byte) (int, error) { return 0, errors.ErrUnsupported }

func (s *fakeSem) Write(p []byte) (int, error) { return 0, errors.ErrUnsupported }

func (s *fakeSem) Acquire(ctx context.Context) error {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	for s.obj.value == 0 {
		if err := s.ns.wait(ctx); err != nil {
			return err
		}
	}
	s.obj.value--
	return nil
}

func (s *fakeSem) TryAcquire() error {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	if s.obj.value == 0 {
		return fakeErr("tryacquire", s.name, ipcfs.ErrWouldBlock)
	}
	s.obj.value--
	return nil
}

func (s *fakeSem) Release() error {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	if s.obj.value == math.MaxInt32 {
		return fakeErr("release", s.name, syscall.EOVERFLOW)
	}
	s.obj.value++
	s.ns.notify()
	return nil
}

func (s *fakeSem) Value() (int, error) {
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	return s.obj.value, nil
}

func (s *fakeSem) SetDeadline(time.Time) error     { return errors.ErrUnsupported }
func (s *fakeSem) SetReadDeadline(time.Time) error { return errors.ErrUnsupported }

var _ ipcfs.Namespace = (*fakeNS)(nil)
