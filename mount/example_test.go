package mount_test

import (
	"fmt"
	"io/fs"

	"github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

// New makes a namespace an afero.Fs: segments read and write like files,
// and writing a queue sends a message. Use ipcfs.New() for the host's
// namespace.
func ExampleNew() {
	fsys := mount.New(fstest.NewMemFS())

	afero.WriteFile(fsys, "/shm/config", []byte("workers=4"), 0o600)
	b, _ := afero.ReadFile(fsys, "/shm/config")
	fmt.Println(string(b))

	afero.WriteFile(fsys, "/mq/jobs", []byte("job 1"), 0o600) // one message
	q, _ := fsys.Open("/mq/jobs")
	defer q.Close()
	msg := make([]byte, 8192) // a whole message must fit
	n, _ := q.Read(msg)
	fmt.Println(string(msg[:n]))
	// Output:
	// workers=4
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
