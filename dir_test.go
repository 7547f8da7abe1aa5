package ipcfs

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
