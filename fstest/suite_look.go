package fstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing/fstest"

	"github.com/ipcfs/ipcfs"
	"github.com/ipcfs/ipcfs/backend"
	"github.com/ipcfs/ipcfs/internal/kind"
)

// The subtests of what generic consumers see: everything the fs.FS
// interfaces reach (Open, ReadDir, Stat, and so fs.ReadFile, fs.Sub,
// fs.Glob, os.CopyFS, testing/fstest.TestFS) only looks. Nothing is
// received or acquired and nothing waits, on a full queue, an empty one, a
// semaphore with units or one at zero.

func init() {
	addCases(
		suiteCase{"OpenOnlyLooks", testOpenOnlyLooks},
		suiteCase{"GenericConsumersTakeNothing", testGenericConsumers},
	)
}

// lookObjects is what the look subtests make: a segment with content and an
// empty one, a queue with two messages and an empty one, a semaphore at 2
// and one at 0. paths lists them ("mq/NAME"), sorted.
type lookObjects struct {
	seg, emptySeg ipcfs.Shm
	q, emptyQ     ipcfs.Mq
	sem, zeroSem  ipcfs.Sem
	paths         []string
	names         map[*kind.Kind][]string
}

func (s *suite) makeLookObjects() *lookObjects {
	s.Helper()
	o := &lookObjects{names: map[*kind.Kind][]string{}}
	add := func(k *kind.Kind, name string) {
		o.paths = append(o.paths, k.Dir+"/"+name)
		o.names[k] = append(o.names[k], name)
	}
	var name string
	name, o.seg = s.createShm(0)
	add(kind.Shm, name)
	s.ok("segment Write", writeString(o.seg, "segment content"))
	name, o.emptySeg = s.createShm(0)
	add(kind.Shm, name)
	name, o.q = s.createMq(nil)
	add(kind.Mq, name)
	s.ok("Send", o.q.Send(bg, []byte("first"), 1))
	s.ok("Send", o.q.Send(bg, []byte("second"), 0))
	name, o.emptyQ = s.createMq(nil)
	add(kind.Mq, name)
	name, o.sem = s.createSem(2)
	add(kind.Sem, name)
	name, o.zeroSem = s.createSem(0)
	add(kind.Sem, name)
	slices.Sort(o.paths)
	return o
}

func writeString(w io.Writer, str string) error {
	_, err := io.WriteString(w, str)
	return err
}

// checkUntouched checks that the look subtests' objects hold what they were
// made with: both messages, in order, and both values.
func (s *suite) checkUntouched(o *lookObjects, after string) {
	s.Helper()
	if n := s.curMessages(o.q); n != 2 {
		s.Errorf("after %s, the queue holds %d messages; want 2 (nothing received)", after, n)
	}
	if n := s.curMessages(o.emptyQ); n != 0 {
		s.Errorf("after %s, the empty queue holds %d messages; want 0", after, n)
	}
	if v, err := o.sem.Value(); s.ok("Value", err) && v != 2 {
		s.Errorf("after %s, the semaphore's value is %d; want 2 (nothing acquired)", after, v)
	}
	if v, err := o.zeroSem.Value(); s.ok("Value", err) && v != 0 {
		s.Errorf("after %s, the zero semaphore's value is %d; want 0", after, v)
	}
}

// statusOf returns the status text the namespace's Stat of p describes.
func (s *suite) statusOf(p string) (string, fs.FileInfo, bool) {
	s.Helper()
	fi, err := s.ns.Stat(p)
	if !s.ok(fmt.Sprintf("Stat(%q)", p), err) {
		return "", nil, false
	}
	st, ok := fi.Sys().(interface{ Status() string })
	if !ok {
		s.Errorf("Stat(%q).Sys() is %T; want ipcfs.MqInfo or ipcfs.SemInfo (with Status)", p, fi.Sys())
		return "", nil, false
	}
	return st.Status(), fi, true
}

// within runs f on another goroutine and reports whether it returned
// within the suite's patience: a consumer that waits on a queue or a
// semaphore fails the subtest instead of hanging it.
func (s *suite) within(what string, f func()) bool {
	s.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	return s.await(what, done)
}

func testOpenOnlyLooks(s *suite) {
	o := s.makeLookObjects()
	for _, p := range o.paths {
		var want string
		var fi fs.FileInfo
		if strings.HasPrefix(p, "shm/") {
			var err error
			if fi, err = s.ns.Stat(p); !s.ok(fmt.Sprintf("Stat(%q)", p), err) {
				continue
			}
			want = segmentContent(o, p)
		} else {
			var ok bool
			if want, fi, ok = s.statusOf(p); !ok {
				continue
			}
		}
		var f fs.File
		var err error
		var data []byte
		var rerr error
		if !s.within(fmt.Sprintf("Open(%q) and io.ReadAll", p), func() {
			f, err = s.ns.Open(p)
			if err == nil {
				data, rerr = io.ReadAll(f)
			}
		}) {
			continue
		}
		if !s.ok(fmt.Sprintf("Open(%q)", p), err) {
			continue
		}
		s.closeLater(f)
		if s.ok(fmt.Sprintf("io.ReadAll(Open(%q))", p), rerr) && string(data) != want {
			s.Errorf("io.ReadAll(Open(%q)) = %q; want %q", p, data, want)
		}
		if int64(len(data)) != fi.Size() {
			s.Errorf("Open(%q) reads %d bytes but Stat's Size is %d; want them equal (http.FileServer sends Size bytes)", p, len(data), fi.Size())
		}
		if ffi, err := f.Stat(); s.ok(fmt.Sprintf("Open(%q).Stat()", p), err) &&
			(ffi.Size() != fi.Size() || ffi.Mode() != fi.Mode() || ffi.Name() != fi.Name() || !ffi.Mode().IsRegular()) {
			s.Errorf("Open(%q).Stat() = %s %v size %d; want what Stat gives: %s %v size %d, a regular file",
				p, ffi.Name(), ffi.Mode(), ffi.Size(), fi.Name(), fi.Mode(), fi.Size())
		}
		if nf, ok := f.(interface{ Name() string }); ok && nf.Name() != p {
			s.Errorf("Open(%q).Name() = %q; want the path it was opened by", p, nf.Name())
		}
		// A file opened to look is read-only.
		if w, ok := f.(io.Writer); ok {
			_, err := w.Write([]byte("x"))
			s.wantErr(fmt.Sprintf("Write on Open(%q)", p), err, fs.ErrPermission)
		}
		// It seeks and reads at offsets, as http.ServeContent needs.
		if rs, ok := f.(io.ReadSeeker); !ok {
			s.Errorf("Open(%q) is a %T; want an io.Seeker (http.FileServer seeks)", p, f)
		} else if len(want) > 0 {
			if off, err := rs.Seek(1, io.SeekStart); s.ok("Seek", err) && off == 1 {
				if rest, err := io.ReadAll(rs); s.ok("ReadAll after Seek", err) && string(rest) != want[1:] {
					s.Errorf("Open(%q) after Seek(1) reads %q; want %q", p, rest, want[1:])
				}
			}
		}
		s.ok(fmt.Sprintf("Open(%q).Close", p), f.Close())
	}
	s.checkUntouched(o, "reading every object opened with Open")
	// The messages are still there, in order, and whole.
	buf := make([]byte, smallAttr.MessageSize)
	ctx, cancel := context.WithTimeout(bg, long)
	defer cancel()
	for _, want := range []string{"first", "second"} {
		if n, _, err := o.q.Receive(ctx, buf); s.ok("Receive", err) && string(buf[:n]) != want {
			s.Errorf("Receive after the looks = %q; want %q", buf[:n], want)
		}
	}
}

// segmentContent is what the look subtests wrote into the segment at p.
func segmentContent(o *lookObjects, p string) string {
	if p == "shm/"+o.names[kind.Shm][0] {
		return "segment content"
	}
	return ""
}

func testGenericConsumers(s *suite) {
	o := s.makeLookObjects()
	view := &ownView{ns: s.ns, names: o.names}

	// fs.ReadFile, also of the empty queue and the zero semaphore (which a
	// receive or an acquire would wait on forever).
	for _, p := range o.paths {
		var data []byte
		var err error
		if !s.within(fmt.Sprintf("fs.ReadFile(ns, %q)", p), func() { data, err = fs.ReadFile(s.ns, p) }) {
			continue
		}
		if s.ok(fmt.Sprintf("fs.ReadFile(ns, %q)", p), err) && !strings.HasPrefix(p, "shm/") {
			if want, _, ok := s.statusOf(p); ok && string(data) != want {
				s.Errorf("fs.ReadFile(ns, %q) = %q; want the status text %q", p, data, want)
			}
		}
	}
	s.checkUntouched(o, "fs.ReadFile of every object")

	// fs.Sub and fs.Glob.
	for _, k := range kind.All {
		sub, err := fs.Sub(s.ns, k.Dir)
		if !s.ok(fmt.Sprintf("fs.Sub(ns, %q)", k.Dir), err) {
			continue
		}
		for _, name := range o.names[k] {
			var err error
			if s.within(fmt.Sprintf("fs.ReadFile(fs.Sub(ns, %q), %q)", k.Dir, name), func() { _, err = fs.ReadFile(sub, name) }) {
				s.ok(fmt.Sprintf("fs.ReadFile(fs.Sub(ns, %q), %q)", k.Dir, name), err)
			}
		}
		pattern := k.Dir + "/" + strings.Join(strings.Split(o.names[k][0], "-")[:2], "-") + "-*"
		if k.NeedsMount {
			if _, err := s.ns.ReadDir(k.Dir); errors.Is(err, errors.ErrUnsupported) {
				continue // not listable here (no /dev/mqueue)
			}
		}
		matches, err := fs.Glob(s.ns, pattern)
		if s.ok(fmt.Sprintf("fs.Glob(ns, %q)", pattern), err) {
			for _, name := range o.names[k] {
				if !slices.Contains(matches, k.Dir+"/"+name) {
					s.Errorf("fs.Glob(ns, %q) = %q; want it to list %q", pattern, matches, k.Dir+"/"+name)
				}
			}
		}
	}
	s.checkUntouched(o, "fs.Sub and fs.Glob")

	// testing/fstest.TestFS reads every file several ways, and the
	// directories; the view holds only this subtest's objects, so other
	// programs' objects in a shared namespace cannot change under it.
	var err error
	if s.within("testing/fstest.TestFS", func() { err = fstest.TestFS(view, o.paths...) }) && err != nil {
		s.Errorf("testing/fstest.TestFS over a namespace holding every kind: %v", err)
	}
	s.checkUntouched(o, "testing/fstest.TestFS")

	// os.CopyFS copies segments' bytes and the others' status texts.
	dir := s.TempDir()
	if s.within("os.CopyFS", func() { err = os.CopyFS(dir, view) }) && s.ok("os.CopyFS", err) {
		for _, p := range o.paths {
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if !s.ok("read the copy of "+p, err) {
				continue
			}
			want := segmentContent(o, p)
			if !strings.HasPrefix(p, "shm/") {
				want, _, _ = s.statusOf(p)
			}
			if string(got) != want {
				s.Errorf("os.CopyFS copied %q as %q; want %q", p, got, want)
			}
		}
	}
	s.checkUntouched(o, "os.CopyFS")
}

// ownView is the namespace restricted to the objects a subtest made, as an
// fs.FS: what testing/fstest.TestFS and os.CopyFS walk. Directories list
// the namespace's own entries for those objects, or, where it cannot list
// (queues without /dev/mqueue), entries made from Stat.
type ownView struct {
	ns    ipcfs.Namespace
	names map[*kind.Kind][]string
}

func (v *ownView) parse(op, p string) (kind.Path, error) {
	l, err := kind.Parse(op, p)
	if err != nil {
		return l, err
	}
	if !l.IsDir() && !slices.Contains(v.names[l.Kind], l.Name) {
		return l, &fs.PathError{Op: op, Path: p, Err: syscall.ENOENT}
	}
	return l, nil
}

func (v *ownView) Open(p string) (fs.File, error) {
	l, err := v.parse("open", p)
	if err != nil {
		return nil, err
	}
	if !l.IsDir() {
		return v.ns.Open(p)
	}
	entries, err := v.ReadDir(p)
	if err != nil {
		return nil, err
	}
	info, err := v.ns.Stat(p)
	if err != nil {
		return nil, err
	}
	return backend.NewDirFile(p, info, entries), nil
}

func (v *ownView) Stat(p string) (fs.FileInfo, error) {
	if _, err := v.parse("stat", p); err != nil {
		return nil, err
	}
	return v.ns.Stat(p)
}

func (v *ownView) ReadDir(p string) ([]fs.DirEntry, error) {
	l, err := v.parse("readdir", p)
	switch {
	case err != nil:
		return nil, err
	case !l.IsDir():
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: syscall.ENOTDIR}
	case l.Kind == nil:
		return v.ns.ReadDir(p)
	}
	all, err := v.ns.ReadDir(p)
	if errors.Is(err, errors.ErrUnsupported) {
		all = nil
		for _, name := range v.names[l.Kind] {
			fi, err := v.ns.Stat(path.Join(p, name))
			if err != nil {
				return nil, err
			}
			all = append(all, fs.FileInfoToDirEntry(fi))
		}
		slices.SortFunc(all, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	} else if err != nil {
		return nil, err
	}
	var own []fs.DirEntry
	for _, e := range all {
		if slices.Contains(v.names[l.Kind], e.Name()) {
			own = append(own, e)
		}
	}
	return own, nil
}
