package fstest

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ipcfs/ipcfs"
)

func init() {
	addCases(
		suiteCase{"RootHasThreeDirectories", testRoot},
		suiteCase{"PathErrors", testPathErrors},
		suiteCase{"NameRules", testNameRules},
		suiteCase{"CreateFlagsAndExistence", testCreateFlags},
		suiteCase{"RemoveKeepsOpenHandles", testRemoveKeepsHandles},
		suiteCase{"OpenFileKindByDirectory", testOpenFileKinds},
		suiteCase{"CreateTemp", testCreateTemp},
		suiteCase{"CreateTempOptions", testCreateTempOptions},
		suiteCase{"HandleNamesAndErrors", testHandleNames},
		suiteCase{"ReadDirAndStat", testReadDirStat},
		suiteCase{"ChmodChownChtimes", testChmod},
		suiteCase{"CloseSemantics", testClose},
	)
}

// suiteKinds drives the per-kind tables: open creates or opens the object named
// name in dir with flag.
type suiteKind struct {
	dir  string
	open func(s *suite, name string, flag int) (ipcfs.File, error)
}

var suiteKinds = []suiteKind{
	{"shm", func(s *suite, name string, flag int) (ipcfs.File, error) {
		return s.ns.OpenShm(name, flag, 0o600, 0)
	}},
	{"mq", func(s *suite, name string, flag int) (ipcfs.File, error) {
		return s.ns.OpenMq(name, flag, 0o600, &smallAttr)
	}},
	{"sem", func(s *suite, name string, flag int) (ipcfs.File, error) {
		return s.ns.OpenSem(name, flag, 0o600, 1)
	}},
}

func testRoot(s *suite) {
	entries, err := s.ns.ReadDir(".")
	if s.ok(`ReadDir(".")`, err) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
			if !e.IsDir() {
				s.Errorf(`ReadDir("."): entry %q is not a directory`, e.Name())
			}
		}
		if !slices.Equal(names, []string{"mq", "sem", "shm"}) {
			s.Errorf(`ReadDir(".") names = %q; want ["mq" "sem" "shm"]`, names)
		}
	}
	for _, p := range []string{".", "shm", "mq", "sem"} {
		fi, err := s.ns.Stat(p)
		if !s.ok(fmt.Sprintf("Stat(%q)", p), err) {
			continue
		}
		if !fi.IsDir() || !fi.Mode().IsDir() {
			s.Errorf("Stat(%q).Mode() = %v; want a directory", p, fi.Mode())
		}
		if p != "." && fi.Name() != p {
			s.Errorf("Stat(%q).Name() = %q; want %q", p, fi.Name(), p)
		}
	}
	f, err := s.ns.Open("shm")
	if !s.ok(`Open("shm")`, err) {
		return
	}
	defer f.Close()
	d, ok := f.(fs.ReadDirFile)
	if !ok {
		s.Errorf(`Open("shm") is a %T; want an fs.ReadDirFile`, f)
		return
	}
	if _, err := d.ReadDir(-1); err != nil {
		s.Errorf(`Open("shm").ReadDir(-1) = %v; want no error`, err)
	}
	_, err = f.Read(make([]byte, 1))
	s.wantAnyErr(`Open("shm").Read`, err)
}

func testPathErrors(s *suite) {
	missing := s.unique()
	for _, c := range []struct {
		path   string
		target error
	}{
		{"nope", fs.ErrNotExist},
		{"shm/" + missing, fs.ErrNotExist},
		{"mq/" + missing, fs.ErrNotExist},
		{"sem/" + missing, fs.ErrNotExist},
		{"/shm", fs.ErrInvalid},
		{"shm/", fs.ErrInvalid},
		{"./shm", fs.ErrInvalid},
		{"shm/../mq", fs.ErrInvalid},
	} {
		_, err := s.ns.Open(c.path)
		s.wantErr(fmt.Sprintf("Open(%q)", c.path), err, c.target)
		s.wantOpPath(fmt.Sprintf("Open(%q)", c.path), err, "open", c.path)
		_, err = s.ns.Stat(c.path)
		s.wantErr(fmt.Sprintf("Stat(%q)", c.path), err, c.target)
		s.wantOpPath(fmt.Sprintf("Stat(%q)", c.path), err, "stat", c.path)
	}
	for _, p := range []string{".", "shm", "mq", "sem"} {
		_, err := s.ns.OpenFile(p, os.O_RDWR, 0)
		s.wantAnyErr(fmt.Sprintf("OpenFile(%q, O_RDWR)", p), err)
		s.wantErr(fmt.Sprintf("Remove(%q)", p), s.ns.Remove(p), fs.ErrPermission)
	}
	for _, k := range suiteKinds {
		s.wantErr(fmt.Sprintf("Remove(%q)", k.dir+"/"+missing), s.ns.Remove(k.dir+"/"+missing), fs.ErrNotExist)
	}
	name, _ := s.createShm(1)
	_, err := s.ns.ReadDir("shm/" + name)
	s.wantAnyErr(fmt.Sprintf("ReadDir(%q) of a segment", "shm/"+name), err)
}

func testNameRules(s *suite) {
	for _, k := range suiteKinds {
		maxLen := 255
		if k.dir == "sem" {
			maxLen = 251
		}
		bad := []string{"", "/", "//x", "a/b", "../etc/passwd", "/a/../../x", ".", "/..", "a\x00b",
			"/" + strings.Repeat("n", maxLen+1)}
		if k.dir == "shm" {
			bad = append(bad, "/sem.x")
		}
		for _, n := range bad {
			f, err := k.open(s, n, os.O_RDWR|os.O_CREATE)
			if err == nil {
				f.Close()
			}
			s.wantErr(fmt.Sprintf("open %s name %q with O_CREATE", k.dir, n), err, fs.ErrInvalid)
		}

		// "/x" and "x" are the same object.
		name := s.unique()
		f, err := k.open(s, "/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		if !s.ok(fmt.Sprintf("create %s %q", k.dir, "/"+name), err) {
			continue
		}
		s.cleanup(k.dir, name)
		f.Close()
		if got := baseName(f.Name()); got != name {
			s.Errorf("%s %q: Name() = %q; want a name ending in %q", k.dir, "/"+name, f.Name(), name)
		}
		f, err = k.open(s, name, os.O_RDWR)
		if s.ok(fmt.Sprintf("open %s %q (created as %q)", k.dir, name, "/"+name), err) {
			f.Close()
		}
		_, err = k.open(s, name, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		s.wantErr(fmt.Sprintf("create %s %q with O_EXCL after %q exists", k.dir, name, "/"+name), err, fs.ErrExist)

		// The longest name fits.
		long := name + strings.Repeat("L", maxLen-len(name))
		f, err = k.open(s, "/"+long, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		if s.ok(fmt.Sprintf("create %s with a %d-byte name", k.dir, maxLen), err) {
			s.cleanup(k.dir, long)
			f.Close()
		}
	}
}

func testCreateFlags(s *suite) {
	for _, k := range suiteKinds {
		name := s.unique()
		p := k.dir + "/" + name
		_, err := k.open(s, name, os.O_RDWR)
		s.wantErr(fmt.Sprintf("open missing %s without O_CREATE", p), err, fs.ErrNotExist)
		f, err := k.open(s, name, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		if !s.ok(fmt.Sprintf("create %s with O_CREATE|O_EXCL", p), err) {
			continue
		}
		s.cleanup(k.dir, name)
		f.Close()
		_, err = k.open(s, name, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		s.wantErr(fmt.Sprintf("create existing %s with O_CREATE|O_EXCL", p), err, fs.ErrExist)
		f, err = k.open(s, name, os.O_RDWR|os.O_CREATE)
		if s.ok(fmt.Sprintf("open existing %s with O_CREATE", p), err) {
			f.Close()
		}
		f, err = k.open(s, name, os.O_RDWR)
		if s.ok(fmt.Sprintf("open existing %s", p), err) {
			f.Close()
		}
		if _, err := s.ns.Stat(p); err != nil {
			s.Errorf("Stat(%q) = %v; want it to exist", p, err)
		}
		s.ok(fmt.Sprintf("Remove(%q)", p), s.ns.Remove(p))
		_, err = s.ns.Stat(p)
		s.wantErr(fmt.Sprintf("Stat(%q) after Remove", p), err, fs.ErrNotExist)
		s.wantErr(fmt.Sprintf("second Remove(%q)", p), s.ns.Remove(p), fs.ErrNotExist)
		_, err = k.open(s, name, os.O_RDWR)
		s.wantErr(fmt.Sprintf("open %s after Remove", p), err, fs.ErrNotExist)
	}
}

func testRemoveKeepsHandles(s *suite) {
	name, shm := s.createShm(0)
	s.ok("Remove(shm)", s.ns.Remove("shm/"+name))
	if _, err := shm.WriteAt([]byte("still here"), 0); s.ok("WriteAt on a removed segment", err) {
		buf := make([]byte, 10)
		if _, err := shm.ReadAt(buf, 0); s.ok("ReadAt on a removed segment", err) && string(buf) != "still here" {
			s.Errorf("removed segment reads %q; want %q", buf, "still here")
		}
	}
	// A new object of the same name is a different one.
	f, err := s.ns.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 0)
	if s.ok("re-create a removed segment", err) {
		if size, _ := f.Size(); size != 0 {
			s.Errorf("re-created segment has size %d; want 0 (a new segment)", size)
		}
		f.Close()
		s.ok("Remove re-created segment", s.ns.Remove("shm/"+name))
	}

	name, q := s.createMq(nil)
	s.ok("Remove(mq)", s.ns.Remove("mq/"+name))
	if s.ok("Send on a removed queue", q.Send(bg, []byte("m"), 1)) {
		buf := make([]byte, smallAttr.MessageSize)
		if n, _, err := q.Receive(bg, buf); s.ok("Receive on a removed queue", err) && string(buf[:n]) != "m" {
			s.Errorf("removed queue gave %q; want %q", buf[:n], "m")
		}
	}

	name, sem := s.createSem(0)
	s.ok("Remove(sem)", s.ns.Remove("sem/"+name))
	s.ok("Release on a removed semaphore", sem.Release())
	if v, err := sem.Value(); s.ok("Value on a removed semaphore", err) && v != 1 {
		s.Errorf("removed semaphore value = %d; want 1", v)
	}
}

func testOpenFileKinds(s *suite) {
	name := s.unique()
	f, err := s.ns.OpenFile("shm/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if s.ok(`OpenFile("shm/...", O_RDWR|O_CREATE|O_EXCL)`, err) {
		s.cleanup("shm", name)
		if _, ok := f.(ipcfs.Shm); !ok {
			s.Errorf(`OpenFile("shm/...") is a %T; want an ipcfs.Shm`, f)
		}
		f.Close()
	}
	name = s.unique()
	f, err = s.ns.OpenFile("sem/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if s.ok(`OpenFile("sem/...", O_RDWR|O_CREATE|O_EXCL)`, err) {
		s.cleanup("sem", name)
		if sem, ok := f.(ipcfs.Sem); !ok {
			s.Errorf(`OpenFile("sem/...") is a %T; want an ipcfs.Sem`, f)
		} else if v, err := sem.Value(); s.ok("Value", err) && v != 0 {
			s.Errorf("OpenFile created a semaphore with value %d; want 0", v)
		}
		f.Close()
	}
	// A queue with the system's default attributes: the only one the suite
	// keeps at a time, removed before this subtest ends.
	name = s.unique()
	f, err = s.ns.OpenFile("mq/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if s.ok(`OpenFile("mq/...", O_RDWR|O_CREATE|O_EXCL)`, err) {
		s.cleanup("mq", name)
		if q, ok := f.(ipcfs.Mq); !ok {
			s.Errorf(`OpenFile("mq/...") is a %T; want an ipcfs.Mq`, f)
		} else if a, err := q.Attr(); s.ok("Attr", err) && (a.MaxMessages <= 0 || a.MessageSize <= 0) {
			s.Errorf("OpenFile created a queue with attributes %+v; want the system defaults", a)
		}
		f.Close()
		s.ok("Remove default queue", s.ns.Remove("mq/"+name))
	}
}

func testCreateTemp(s *suite) {
	prefix := s.unique()
	for _, dir := range []string{"shm", "sem", "mq"} {
		var names []string
		for range 2 {
			f, err := s.ns.CreateTemp(dir, prefix+"-*.tmp")
			if !s.ok(fmt.Sprintf("CreateTemp(%q, %q)", dir, prefix+"-*.tmp"), err) {
				continue
			}
			n := baseName(f.Name())
			s.cleanup(dir, n)
			f.Close()
			names = append(names, n)
			if f.Name() != dir+"/"+n {
				s.Errorf("CreateTemp(%q) made a handle named %q; want its path %q (as os.CreateTemp's Name)", dir, f.Name(), dir+"/"+n)
			}
			if !strings.HasPrefix(n, prefix+"-") || !strings.HasSuffix(n, ".tmp") || len(n) <= len(prefix)+5 {
				s.Errorf("CreateTemp(%q, %q) made %q; want the prefix, random characters, then the suffix", dir, prefix+"-*.tmp", n)
			}
			if _, err := s.ns.Stat(dir + "/" + n); err != nil {
				s.Errorf("Stat of CreateTemp's %q = %v; want it to exist", dir+"/"+n, err)
			}
			if dir == "mq" { // default attributes: remove at once
				s.ok("Remove temp queue", s.ns.Remove(dir+"/"+n))
			}
		}
		if len(names) == 2 && names[0] == names[1] {
			s.Errorf("CreateTemp(%q) made %q twice; want distinct names", dir, names[0])
		}
	}
	_, err := s.ns.CreateTemp("shm", "a/b*")
	s.wantErr(`CreateTemp("shm", "a/b*")`, err, fs.ErrInvalid)
	_, err = s.ns.CreateTemp("shm", "a\x00b*")
	s.wantErr(`CreateTemp("shm", "a\x00b*")`, err, fs.ErrInvalid)
	if err != nil && (!strings.Contains(err.Error(), "NUL") || strings.Contains(err.Error(), "'/'")) {
		s.Errorf(`CreateTemp("shm", "a\x00b*") = %v; want it to say the pattern holds a NUL byte`, err)
	}
	_, err = s.ns.CreateTemp("nope", "x*")
	s.wantErr(`CreateTemp("nope", "x*")`, err, fs.ErrNotExist)
}

// testCreateTempOptions checks that CreateTemp takes what the named opens
// take (posix_ipc's name=None with other arguments), and that the handle's
// Name goes back to Remove.
func testCreateTempOptions(s *suite) {
	prefix := s.unique()
	create := func(dir string, opts ...ipcfs.TempOption) ipcfs.File {
		s.Helper()
		f, err := s.ns.CreateTemp(dir, prefix+"-*", opts...)
		if !s.ok(fmt.Sprintf("CreateTemp(%q) with options", dir), err) {
			return nil
		}
		s.cleanup(dir, baseName(f.Name()))
		s.closeLater(f)
		if !strings.HasPrefix(f.Name(), dir+"/"+prefix+"-") {
			s.Errorf("CreateTemp(%q) made a handle named %q; want %q followed by random characters", dir, f.Name(), dir+"/"+prefix+"-")
		}
		return f
	}
	// The mode is what a named open with the same perm gives (the host
	// applies its umask to both).
	permOf := func(dir string, perm fs.FileMode) fs.FileMode {
		s.Helper()
		name := s.unique()
		var f ipcfs.File
		var err error
		switch dir {
		case "shm":
			f, err = s.ns.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm, 0)
		case "mq":
			f, err = s.ns.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm, &smallAttr)
		default:
			f, err = s.ns.OpenSem(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm, 0)
		}
		if !s.ok("named open with perm", err) {
			return 0
		}
		s.cleanup(dir, name)
		defer f.Close()
		fi, err := f.Stat()
		if !s.ok("Stat", err) {
			return 0
		}
		return fi.Mode().Perm()
	}

	if f := create("shm", ipcfs.WithShmSize(100), ipcfs.WithPerm(0o640)); f != nil {
		if size, err := f.(ipcfs.Shm).Size(); s.ok("Size", err) && size != 100 {
			s.Errorf("CreateTemp(shm, WithShmSize(100)) made a segment of %d bytes; want 100", size)
		}
		if fi, err := f.Stat(); s.ok("Stat", err) && fi.Mode().Perm() != permOf("shm", 0o640) {
			s.Errorf("CreateTemp(shm, WithPerm(0640)) made mode %v; want %v, as OpenShm with 0640", fi.Mode().Perm(), permOf("shm", 0o640))
		}
	}
	if f := create("mq", ipcfs.WithMqAttr(&ipcfs.MqAttr{MaxMessages: 3, MessageSize: 32}), ipcfs.WithPerm(0o640)); f != nil {
		if a, err := f.(ipcfs.Mq).Attr(); s.ok("Attr", err) && (a.MaxMessages != 3 || a.MessageSize != 32) {
			s.Errorf("CreateTemp(mq, WithMqAttr(3 x 32)) made a queue of %d x %d; want 3 x 32", a.MaxMessages, a.MessageSize)
		}
		if fi, err := f.Stat(); s.ok("Stat", err) && fi.Mode().Perm() != permOf("mq", 0o640) {
			s.Errorf("CreateTemp(mq, WithPerm(0640)) made mode %v; want %v, as OpenMq with 0640", fi.Mode().Perm(), permOf("mq", 0o640))
		}
		if s.ok("Send", f.(ipcfs.Mq).Send(bg, []byte("ok"), 0)) {
			if n := s.curMessages(f.(ipcfs.Mq)); n != 1 {
				s.Errorf("temp queue holds %d messages after one send; want 1", n)
			}
		}
	}
	if f := create("sem", ipcfs.WithSemValue(5), ipcfs.WithPerm(0o640)); f != nil {
		if v, err := f.(ipcfs.Sem).Value(); s.ok("Value", err) && v != 5 {
			s.Errorf("CreateTemp(sem, WithSemValue(5)) made a semaphore of value %d; want 5", v)
		}
		if fi, err := f.Stat(); s.ok("Stat", err) && fi.Mode().Perm() != permOf("sem", 0o640) {
			s.Errorf("CreateTemp(sem, WithPerm(0640)) made mode %v; want %v, as OpenSem with 0640", fi.Mode().Perm(), permOf("sem", 0o640))
		}
	}
	// Options for other kinds are ignored; Remove takes the handle's Name.
	for _, dir := range []string{"shm", "sem", "mq"} {
		f := create(dir, ipcfs.WithShmSize(8), ipcfs.WithSemValue(2), ipcfs.WithMqAttr(&smallAttr))
		if f == nil {
			continue
		}
		f.Close()
		if s.ok(fmt.Sprintf("Remove(%q) (CreateTemp's Name)", f.Name()), s.ns.Remove(f.Name())) {
			_, err := s.ns.Stat(f.Name())
			s.wantErr(fmt.Sprintf("Stat(%q) after Remove", f.Name()), err, fs.ErrNotExist)
		}
	}
}

// testHandleNames checks what Name returns and errors carry, as os does: a
// handle opened by path reports that path, one opened by POSIX name that
// name with its leading slash.
func testHandleNames(s *suite) {
	for _, k := range suiteKinds {
		name := s.unique()
		f, err := k.open(s, name, os.O_RDWR|os.O_CREATE|os.O_EXCL) // no leading slash
		if !s.ok(fmt.Sprintf("create %s %q", k.dir, name), err) {
			continue
		}
		s.cleanup(k.dir, name)
		p := k.dir + "/" + name
		check := func(how string, f interface {
			Name() string
			Close() error
			Stat() (fs.FileInfo, error)
		}, want string) {
			s.Helper()
			if f.Name() != want {
				s.Errorf("%s: Name() = %q; want %q", how, f.Name(), want)
			}
			s.ok(how+": Close", f.Close())
			_, err := f.Stat()
			s.wantErr(how+": Stat after Close", err, fs.ErrClosed)
			s.wantOpPath(how+": Stat after Close", err, "stat", want)
		}
		check(fmt.Sprintf("%s opened by POSIX name %q", k.dir, name), f, "/"+name)
		if f, err := k.open(s, "/"+name, os.O_RDWR); s.ok("named open", err) {
			check(fmt.Sprintf("%s opened by POSIX name %q", k.dir, "/"+name), f, "/"+name)
		}
		if f, err := s.ns.OpenFile(p, os.O_RDWR, 0); s.ok(fmt.Sprintf("OpenFile(%q)", p), err) {
			check(fmt.Sprintf("OpenFile(%q)", p), f, p)
		}
		if f, err := s.ns.Open(p); s.ok(fmt.Sprintf("Open(%q)", p), err) {
			if nf, ok := f.(interface {
				Name() string
				Close() error
				Stat() (fs.FileInfo, error)
			}); !ok {
				s.Errorf("Open(%q) is a %T, without Name", p, f)
				f.Close()
			} else {
				check(fmt.Sprintf("Open(%q)", p), nf, p)
			}
		}
	}
}

func testReadDirStat(s *suite) {
	shmName, shm := s.createShm(0)
	shm.Write([]byte("12345"))
	mqName, q := s.createMq(nil)
	q.Send(bg, []byte("abc"), 0)
	semName, sem := s.createSem(3)

	// Every object is a regular file, as its host file is (/dev/shm/NAME,
	// /dev/mqueue/NAME, /dev/shm/sem.NAME); a queue's or a semaphore's size
	// is the length of its status text, the facts are in Sys.
	check := func(dir, name string, size int64) {
		s.Helper()
		p := dir + "/" + name
		fi, err := s.ns.Stat(p)
		if !s.ok(fmt.Sprintf("Stat(%q)", p), err) {
			return
		}
		if fi.Name() != name {
			s.Errorf("Stat(%q).Name() = %q; want %q", p, fi.Name(), name)
		}
		if !fi.Mode().IsRegular() || fi.IsDir() {
			s.Errorf("Stat(%q).Mode() = %v; want a regular file", p, fi.Mode())
		}
		if size >= 0 && fi.Size() != size {
			s.Errorf("Stat(%q).Size() = %d; want %d", p, fi.Size(), size)
		}
		entries, err := s.ns.ReadDir(dir)
		if !s.ok(fmt.Sprintf("ReadDir(%q)", dir), err) {
			return
		}
		if !slices.IsSortedFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) }) {
			s.Errorf("ReadDir(%q) is not sorted by name", dir)
		}
		i := slices.IndexFunc(entries, func(e fs.DirEntry) bool { return e.Name() == name })
		if i < 0 {
			s.Errorf("ReadDir(%q) does not list %q", dir, name)
			return
		}
		e := entries[i]
		if e.IsDir() || !e.Type().IsRegular() {
			s.Errorf("ReadDir(%q) entry %q has type %v; want a regular file", dir, name, e.Type())
		}
		if info, err := e.Info(); s.ok("DirEntry.Info", err) && size >= 0 && info.Size() != size {
			s.Errorf("ReadDir(%q) entry %q has size %d; want %d", dir, name, info.Size(), size)
		}
	}
	mqStatus := fmt.Sprintf("max_messages %d\nmessage_size %d\ncurrent_messages 1\nbytes 3\n", smallAttr.MaxMessages, smallAttr.MessageSize)
	check("shm", shmName, 5)
	check("mq", mqName, int64(len(mqStatus)))
	check("sem", semName, int64(len("value 3\nwaiters 0\n")))

	if fi, err := s.ns.Stat("mq/" + mqName); err == nil {
		if info, ok := fi.Sys().(ipcfs.MqInfo); !ok {
			s.Errorf("Stat(mq).Sys() is %T; want ipcfs.MqInfo", fi.Sys())
		} else if info.Attr.MaxMessages != smallAttr.MaxMessages || info.Attr.MessageSize != smallAttr.MessageSize || info.Attr.CurMessages != 1 || info.Bytes != 3 {
			s.Errorf("Stat(mq).Sys() = %+v; want MaxMessages %d, MessageSize %d, CurMessages 1, Bytes 3",
				info, smallAttr.MaxMessages, smallAttr.MessageSize)
		} else if got := info.Status(); got != mqStatus {
			s.Errorf("Stat(mq).Sys().Status() = %q; want %q", got, mqStatus)
		}
	}
	if fi, err := s.ns.Stat("sem/" + semName); err == nil {
		if info, ok := fi.Sys().(ipcfs.SemInfo); !ok {
			s.Errorf("Stat(sem).Sys() is %T; want ipcfs.SemInfo", fi.Sys())
		} else if info.Value != 3 || info.Status() != "value 3\nwaiters 0\n" {
			s.Errorf("Stat(sem).Sys() = %+v (status %q); want Value 3, status %q", info, info.Status(), "value 3\nwaiters 0\n")
		}
	}
	// A handle's Stat describes the object as the namespace's does.
	for _, c := range []struct {
		what string
		f    ipcfs.File
		size int64
	}{{"segment", shm, 5}, {"queue", q, int64(len(mqStatus))}, {"semaphore", sem, int64(len("value 3\nwaiters 0\n"))}} {
		if fi, err := c.f.Stat(); s.ok(c.what+" Stat()", err) && (fi.Size() != c.size || !fi.Mode().IsRegular()) {
			s.Errorf("%s Stat() = size %d mode %v; want size %d, a regular file", c.what, fi.Size(), fi.Mode(), c.size)
		}
	}
}

func testChmod(s *suite) {
	for _, k := range suiteKinds {
		name := s.unique()
		f, err := k.open(s, name, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		if !s.ok("create "+k.dir, err) {
			continue
		}
		s.cleanup(k.dir, name)
		f.Close()
		p := k.dir + "/" + name
		if s.ok(fmt.Sprintf("Chmod(%q, 0640)", p), s.ns.Chmod(p, 0o640)) {
			if fi, err := s.ns.Stat(p); s.ok("Stat", err) && fi.Mode().Perm() != 0o640 {
				s.Errorf("after Chmod(%q, 0640), Stat mode = %v; want perm 0640", p, fi.Mode())
			}
		}
		s.ok(fmt.Sprintf("Chown(%q, -1, -1)", p), s.ns.Chown(p, -1, -1))
		mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
		if s.ok(fmt.Sprintf("Chtimes(%q)", p), s.ns.Chtimes(p, mtime, mtime)) {
			if fi, err := s.ns.Stat(p); s.ok("Stat", err) && !fi.ModTime().Equal(mtime) {
				s.Errorf("after Chtimes(%q, %v), ModTime = %v", p, mtime, fi.ModTime())
			}
		}
		missing := k.dir + "/" + s.unique()
		s.wantErr(fmt.Sprintf("Chmod(%q) of a missing object", missing), s.ns.Chmod(missing, 0o600), fs.ErrNotExist)
		s.wantErr(fmt.Sprintf("Chtimes(%q) of a missing object", missing), s.ns.Chtimes(missing, mtime, mtime), fs.ErrNotExist)
	}
}

func testClose(s *suite) {
	_, shm := s.createShm(4)
	_, q := s.createMq(nil)
	_, sem := s.createSem(1)
	for _, f := range []ipcfs.File{shm, q, sem} {
		what := fmt.Sprintf("%T", f)
		s.ok(what+" Close", f.Close())
		s.wantErr(what+" second Close", f.Close(), fs.ErrClosed)
		_, err := f.Stat()
		s.wantErr(what+" Stat after Close", err, fs.ErrClosed)
		_, err = f.Read(make([]byte, 64))
		s.wantErr(what+" Read after Close", err, fs.ErrClosed)
		_, err = f.Write([]byte{1})
		s.wantErr(what+" Write after Close", err, fs.ErrClosed)
	}
	_, err := shm.ReadAt(make([]byte, 1), 0)
	s.wantErr("segment ReadAt after Close", err, fs.ErrClosed)
	_, err = shm.Size()
	s.wantErr("segment Size after Close", err, fs.ErrClosed)
	s.wantErr("queue Send after Close", q.Send(bg, []byte("x"), 0), fs.ErrClosed)
	_, _, err = q.Receive(bg, make([]byte, 64))
	s.wantErr("queue Receive after Close", err, fs.ErrClosed)
	_, err = q.Attr()
	s.wantErr("queue Attr after Close", err, fs.ErrClosed)
	s.wantErr("semaphore Acquire after Close", sem.Acquire(bg), fs.ErrClosed)
	s.wantErr("semaphore Release after Close", sem.Release(), fs.ErrClosed)
	_, err = sem.Value()
	s.wantErr("semaphore Value after Close", err, fs.ErrClosed)
}
