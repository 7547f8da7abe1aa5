package mount_test

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/ipcfs/ipcfs"

	"github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

// New makes a namespace an afero.Fs: segments read and write like files,
// and writing a queue sends a message. Open (and so afero.ReadFile) only
// looks: a queue reads as its status text; OpenFile receives. Use
// ipcfs.New() for the host's namespace.
func ExampleNew() {
	fsys := mount.New(fstest.NewMemFS())

	afero.WriteFile(fsys, "/shm/config", []byte("workers=4"), 0o600)
	b, _ := afero.ReadFile(fsys, "/shm/config")
	fmt.Println(string(b))

	afero.WriteFile(fsys, "/mq/jobs", []byte("job 1"), 0o600) // one message
	status, _ := afero.ReadFile(fsys, "/mq/jobs")             // receives nothing
	fmt.Print(string(status))

	q, _ := fsys.OpenFile("/mq/jobs", os.O_RDONLY, 0) // to receive
	defer q.Close()
	msg := make([]byte, 8192) // a whole message must fit
	n, _ := q.Read(msg)
	fmt.Println(string(msg[:n]))
	// Output:
	// workers=4
	// max_messages 10
	// message_size 8192
	// current_messages 1
	// bytes 5
	// job 1
}

// At mounts a namespace inside another tree: here an in-memory one at
// /run/app/ipc of a MemMapFs, as a test would; production code would pass
// afero.NewOsFs() and ipcfs.New().
func ExampleAt() {
	base := afero.NewMemMapFs()
	afero.WriteFile(base, "/run/app/config.json", []byte("{}"), 0o644)
	fsys := mount.At(base, "/run/app/ipc", fstest.NewMemFS())

	afero.WriteFile(fsys, "/run/app/ipc/shm/state", []byte("ready"), 0o600)
	afero.Walk(fsys, "/run", func(path string, info fs.FileInfo, err error) error {
		fmt.Println(path)
		return err
	})
	// Output:
	// /run
	// /run/app
	// /run/app/config.json
	// /run/app/ipc
	// /run/app/ipc/mq
	// /run/app/ipc/sem
	// /run/app/ipc/shm
	// /run/app/ipc/shm/state
}

// AsNamespace turns a mount back into an ipcfs.Namespace that goes through
// the afero.Fs, so the conformance suite checks what code using the mount
// sees. In a _test.go file:
//
//	func TestMountedNamespace(t *testing.T) {
//		ipcfstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
//			ns := ipcfstest.NewMemFS() // or ipcfs.New()
//			return mount.AsNamespace(mount.At(afero.NewMemMapFs(), "/run/app/ipc", ns), "/run/app/ipc", ns)
//		})
//	}
func ExampleAsNamespace() {
	testMount := func(t *testing.T) {
		fstest.TestNamespace(t, func(*testing.T) ipcfs.Namespace {
			ns := fstest.NewMemFS()
			return mount.AsNamespace(mount.At(afero.NewMemMapFs(), "/run/app/ipc", ns), "/run/app/ipc", ns)
		})
	}
	_ = testMount

	// Every call goes through the afero.Fs; names are the namespace's.
	ns := fstest.NewMemFS()
	fsys := mount.At(afero.NewMemMapFs(), "/run/app/ipc", ns)
	view := mount.AsNamespace(fsys, "/run/app/ipc", ns)
	f, _ := view.CreateTemp("sem", "lock-*", ipcfs.WithSemValue(1))
	defer view.Remove(f.Name())
	defer f.Close()
	fi, _ := fsys.Stat("/run/app/ipc/" + f.Name())
	fmt.Println(strings.HasPrefix(f.Name(), "sem/lock-"), fi.Sys().(ipcfs.SemInfo).Value)
	// Output: true 1
}
