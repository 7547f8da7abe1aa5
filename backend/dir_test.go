package backend

import (
	"errors"
	"io"
	"io/fs"
	"syscall"
	"testing"
	"time"
)

func TestDirFilePagesWithEOF(t *testing.T) {
	entries := []fs.DirEntry{
		fs.FileInfoToDirEntry(NewFileInfo("a", 1, 0o600, time.Time{}, nil)),
		fs.FileInfoToDirEntry(NewFileInfo("b", 2, 0o600, time.Time{}, nil)),
		fs.FileInfoToDirEntry(NewFileInfo("c", 3, 0o600, time.Time{}, nil)),
	}
	d := NewDirFile("shm", DirInfo("shm", "shm"), entries)
	var got []string
	for {
		page, err := d.ReadDir(2)
		for _, e := range page {
			got = append(got, e.Name())
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			t.Fatal("ReadDir(2) returned no entries and no io.EOF")
		}
	}
	if len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Fatalf("paged listing = %v; want [a b c]", got)
	}
	if rest, err := d.ReadDir(-1); err != nil || len(rest) != 0 {
		t.Fatalf("ReadDir(-1) at end = %v, %v; want empty, nil", rest, err)
	}
	if _, err := d.Read(make([]byte, 1)); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Read on directory: %v; want EISDIR", err)
	}
	if _, err := d.Write([]byte("x")); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Write on directory: %v; want EISDIR", err)
	}
	fi, err := d.Stat()
	if err != nil || !fi.IsDir() || fi.Name() != "shm" {
		t.Errorf("Stat = %v, %v; want directory shm", fi, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close: %v; want fs.ErrClosed", err)
	}
	if _, err := d.ReadDir(1); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("ReadDir after Close: %v; want fs.ErrClosed", err)
	}
}

func TestDirInfoModes(t *testing.T) {
	if m := DirInfo(".", "").Mode(); !m.IsDir() || m.Perm() != 0o555 {
		t.Errorf("root mode = %v", m)
	}
	if m := DirInfo("mq", "mq").Mode(); !m.IsDir() || m&fs.ModeSticky == 0 {
		t.Errorf("mq mode = %v; want sticky directory", m)
	}
	if n := DirInfo("a/shm", "shm").Name(); n != "shm" {
		t.Errorf("DirInfo name = %q; want base name shm", n)
	}
}

func TestDirFileNilHandleIsErrInvalid(t *testing.T) {
	var d *DirFile
	if d.Name() != "" {
		t.Errorf("nil Name() = %q; want \"\"", d.Name())
	}
	for _, c := range []struct {
		op  string
		err error
	}{
		{"readdir", func() error { _, err := d.ReadDir(1); return err }()},
		{"stat", func() error { _, err := d.Stat(); return err }()},
		{"read", func() error { _, err := d.Read(nil); return err }()},
		{"write", func() error { _, err := d.Write(nil); return err }()},
		{"close", d.Close()},
	} {
		var pe *fs.PathError
		if !errors.As(c.err, &pe) || pe.Op != c.op || !errors.Is(c.err, fs.ErrInvalid) {
			t.Errorf("%s on nil *DirFile = %v; want *fs.PathError{Op: %q} matching fs.ErrInvalid", c.op, c.err, c.op)
		}
	}
}

// TestDirFileConcurrentReadDirAndClose pages one directory from several
// goroutines while another closes it: under -race this fails if the offset
// or the closed flag are unguarded; every entry is handed out at most once.
func TestDirFileConcurrentReadDirAndClose(t *testing.T) {
	var entries []fs.DirEntry
	for i := range 100 {
		entries = append(entries, fs.FileInfoToDirEntry(NewFileInfo(string(rune('a'+i%26))+string(rune('0'+i/26)), 0, 0o600, time.Time{}, nil)))
	}
	d := NewDirFile("shm", DirInfo("shm", "shm"), entries)
	seen := make(chan string, len(entries))
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				page, err := d.ReadDir(3)
				for _, e := range page {
					seen <- e.Name()
				}
				if err != nil {
					return
				}
			}
		}()
	}
	go func() {
		d.Close()
		done <- struct{}{}
	}()
	for range 5 {
		<-done
	}
	close(seen)
	got := map[string]bool{}
	for n := range seen {
		if got[n] {
			t.Errorf("entry %q handed out twice", n)
		}
		got[n] = true
	}
}
