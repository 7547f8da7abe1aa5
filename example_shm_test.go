package ipcfs_test

import (
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"strings"

	"github.com/ipcfs/ipcfs"
)

func ExampleOpenShm() {
	name := fmt.Sprintf("/ipcfs-example-%d", os.Getpid())

	// Create the segment (shm_open with O_CREAT|O_EXCL, mode 0600).
	seg, err := ipcfs.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer ipcfs.RemoveShm(name)
	defer seg.Close()

	// io.Copy into the segment: it grows as needed, and the source reads
	// straight into the shared pages.
	if _, err := io.Copy(seg, strings.NewReader("hello, shared memory")); err != nil {
		log.Fatal(err)
	}

	// Another handle (or process, or a C program calling shm_open) sees
	// the bytes at once.
	peer, err := ipcfs.OpenShm(name, os.O_RDONLY, 0, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer peer.Close()
	size, _ := peer.Size()
	fmt.Println(peer.Name() == name, size)
	io.Copy(os.Stdout, peer)
	fmt.Println()
	// Output:
	// true 20
	// hello, shared memory
}

func ExampleShmFile_Bytes() {
	name := fmt.Sprintf("/ipcfs-example-bytes-%d", os.Getpid())
	seg, err := ipcfs.OpenShm(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 16)
	if err != nil {
		log.Fatal(err)
	}
	defer ipcfs.RemoveShm(name)
	defer seg.Close()

	// The mapped bytes themselves: valid until Close.
	b, err := seg.Bytes()
	if err != nil {
		log.Fatal(err)
	}
	copy(b, "zero-copy")

	buf := make([]byte, 9)
	seg.ReadAt(buf, 0)
	fmt.Printf("%d %s\n", len(b), buf)
	// Output: 16 zero-copy
}

func ExampleFS_Sub() {
	ns := ipcfs.New()
	name := fmt.Sprintf("ipcfs-example-sub-%d", os.Getpid())
	f, err := ns.OpenFile("shm/"+name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Remove("shm/" + name)
	io.WriteString(f, "a segment is a file")
	f.Close()

	// The shm directory as an fs.FS: fs.ReadFile, fs.WalkDir, http.FS ...
	shm, err := ns.Sub("shm")
	if err != nil {
		log.Fatal(err)
	}
	b, err := fs.ReadFile(shm, name)
	fmt.Printf("%s %v\n", b, err)
	// Output: a segment is a file <nil>
}
