//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// relPlant makes a file of the given type at the host path of dir/name and
// removes it when the test ends; ok is false if this system or user cannot
// make one (a device without CAP_MKNOD).
func relPlant(t *testing.T, what, host string) (ok bool) {
	t.Helper()
	var err error
	switch what {
	case "directory":
		err = os.Mkdir(host, 0o700)
	case "FIFO":
		err = syscall.Mkfifo(host, 0o600)
	case "socket":
		var l net.Listener
		l, err = net.Listen("unix", host)
		if err == nil {
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			l.Close()
		}
	case "character device":
		err = syscall.Mknod(host, syscall.S_IFCHR|0o600, 1<<8|3) // as /dev/null
		if errors.Is(err, syscall.EPERM) {
			return false
		}
	case "8-byte file":
		err = os.WriteFile(host, make([]byte, 8), 0o600)
	}
	if err != nil {
		t.Fatalf("planting a %s at %s: %v", what, host, err)
	}
	t.Cleanup(func() { os.Remove(host) })
	return true
}

// Errors about something that is not an IPC object say what was found
// (issue 12): never "0 bytes, want 32" for a FIFO, never "too many levels of
// symbolic links" for a directory.
func TestSecurityNonObjectsSayWhatWasFound(t *testing.T) {
	ns := New()
	found := map[string]string{
		"directory": "directory", "FIFO": "FIFO", "socket": "socket",
		"character device": "character device", "8-byte file": "8 bytes",
	}
	for _, what := range []string{"directory", "FIFO", "socket", "character device", "8-byte file"} {
		for _, dir := range []string{"shm", "sem"} {
			t.Run(dir+"/"+what, func(t *testing.T) {
				name := uniqueName(t)
				k := relKind(dir)
				host := k.HostPath(name[1:])
				if !relPlant(t, what, host) {
					t.Skipf("cannot make a %s here", what)
				}
				var errs []error
				if dir == "sem" {
					_, err := OpenSem(name, 0, 0, 0)
					errs = append(errs, err)
				} else if what != "8-byte file" {
					_, err := OpenShm(name, os.O_RDONLY, 0, 0)
					errs = append(errs, err)
					_, err = ns.Stat(dir + name)
					errs = append(errs, err)
				}
				if what != "8-byte file" {
					at := time.Unix(1e9, 0)
					errs = append(errs, ns.Chmod(dir+name, 0o600), ns.Chown(dir+name, -1, -1), ns.Chtimes(dir+name, at, at))
				}
				for _, err := range errs {
					msg := ""
					if err != nil {
						msg = err.Error()
					}
					if err == nil || !strings.Contains(msg, found[what]) || strings.Contains(msg, "symbolic link") ||
						strings.Contains(msg, "0 bytes") {
						t.Errorf("error for a %s at %s = %v; want it to say it found a %s", what, dir+name, err, found[what])
					}
					if !strings.Contains(msg, "not a ") || !strings.Contains(msg, k.Title) {
						t.Errorf("error for a %s at %s = %v; want it to say it is not a %s", what, dir+name, err, k.Title)
					}
				}
			})
		}
	}
}

func TestCreateTempPatternWithNULSaysNUL(t *testing.T) {
	for _, ns := range []Namespace{New()} {
		_, err := ns.CreateTemp("shm", "job-\x00-*")
		if !errors.Is(err, fs.ErrInvalid) || !errors.Is(err, kind.ErrNUL) || strings.Contains(err.Error(), "'/'") {
			t.Errorf("CreateTemp with a NUL in the pattern = %v; want fs.ErrInvalid saying NUL", err)
		}
		_, err = ns.CreateTemp("shm", "job/*")
		if !errors.Is(err, fs.ErrInvalid) || !errors.Is(err, kind.ErrSlash) {
			t.Errorf("CreateTemp with a slash in the pattern = %v; want fs.ErrInvalid saying '/'", err)
		}
	}
}
