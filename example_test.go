//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"strings"
	"time"

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

func ExampleOpenMq() {
	name := fmt.Sprintf("/ipcfs-example-%d", os.Getpid())
	q, err := ipcfs.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600,
		&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ipcfs.RemoveMq(name)
	defer q.Close()

	ctx := context.Background()
	q.Send(ctx, []byte("low"), 1)
	q.Send(ctx, []byte("urgent"), 9)
	q.Write([]byte("plain")) // priority 0 (SetPriority changes it)

	buf := make([]byte, 128)
	for range 3 {
		n, prio, err := q.Receive(ctx, buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s (priority %d)\n", buf[:n], prio)
	}

	// The queue is empty now: a receive waits until the deadline.
	q.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = q.Read(buf)
	fmt.Println(errors.Is(err, os.ErrDeadlineExceeded))
	// Output:
	// urgent (priority 9)
	// low (priority 1)
	// plain (priority 0)
	// true
}

func ExampleMqFile_Notify() {
	name := fmt.Sprintf("/ipcfs-example-notify-%d", os.Getpid())
	q, err := ipcfs.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600,
		&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ipcfs.RemoveMq(name)
	defer q.Close()

	arrived := make(chan struct{})
	// Called once, in its own goroutine, when the empty queue gets a message.
	if err := q.Notify(func() { close(arrived) }); err != nil {
		fmt.Println(err)
		return
	}
	q.Write([]byte("hello"))
	<-arrived
	buf := make([]byte, 128)
	n, _ := q.Read(buf)
	fmt.Printf("notified, then read %q\n", buf[:n])
	// Output:
	// notified, then read "hello"
}

// A semaphore shared with any process that opens the same name, including
// C programs calling sem_open("/example-jobs", ...) and Python's posix_ipc.
func ExampleOpenSem() {
	name := fmt.Sprintf("/example-jobs-%d", os.Getpid())
	sem, err := ipcfs.OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 2)
	if err != nil {
		log.Fatal(err)
	}
	defer ipcfs.RemoveSem(name)
	defer sem.Close()

	// Acquire waits while the value is zero; ctx bounds the wait.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sem.Acquire(ctx); err != nil {
		log.Fatal(err)
	}
	v, _ := sem.Value()
	fmt.Println("after Acquire:", v)

	// Used as a lock (posix_ipc's "with sem:"): Do releases even on error.
	err = sem.Do(ctx, func() error {
		v, _ := sem.Value()
		fmt.Println("inside Do:", v)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	// As a file: Write releases one unit per byte, Read takes what it can.
	sem.Write([]byte{1, 1})
	n, _ := sem.Read(make([]byte, 10))
	fmt.Println("Read took:", n)

	// Output:
	// after Acquire: 1
	// inside Do: 0
	// Read took: 3
}

// A semaphore of value 1 as a lock between processes, the shape of
// posix_ipc's "with sem:". Do releases even when fn fails or panics, and
// returns fn's error joined with any error from the release.
func ExampleSemFile_Do() {
	name := fmt.Sprintf("/example-lock-%d", os.Getpid())
	lock, err := ipcfs.OpenSem(name, os.O_CREATE|os.O_EXCL, 0o600, 1)
	if err != nil {
		log.Fatal(err)
	}
	defer ipcfs.RemoveSem(name)
	defer lock.Close()

	err = lock.Do(context.Background(), func() error {
		fmt.Println("holding the lock")
		return nil
	})
	fmt.Println("err:", err)
	// Output:
	// holding the lock
	// err: <nil>
}

// Readers that start with a small buffer (io.ReadAll: 512 bytes, a default
// bufio.Reader: 4096) stop at a message longer than it with
// io.ErrShortBuffer, and lose nothing: one Read is one whole message. Give
// them a buffer of the queue's message size.
func ExampleMqFile_Read() {
	name := fmt.Sprintf("/ipcfs-example-read-%d", os.Getpid())
	q, err := ipcfs.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600,
		&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 8192})
	if err != nil {
		log.Fatal(err)
	}
	defer ipcfs.RemoveMq(name)
	defer q.Close()
	q.Write([]byte(strings.Repeat("x", 5000) + "\n"))
	q.Write([]byte("short\n"))

	_, err = bufio.NewReader(q).ReadString('\n') // a 4096-byte buffer
	fmt.Println(errors.Is(err, io.ErrShortBuffer))

	attr, _ := q.Attr()
	r := bufio.NewReaderSize(q, int(attr.MessageSize))
	for range 2 {
		line, err := r.ReadString('\n')
		fmt.Println(len(line), err)
	}
	// Output:
	// true
	// 5001 <nil>
	// 6 <nil>
}

// Open, and so fs.ReadFile, fs.WalkDir, http.FS and os.CopyFS, only looks:
// a segment reads as its bytes, a queue or a semaphore as a status text.
// Nothing is received or acquired. OpenFile and the Open* functions are
// for I/O.
func ExampleFS_Open() {
	ns := ipcfs.New()
	name := fmt.Sprintf("ipcfs-example-look-%d", os.Getpid())
	sem, err := ns.OpenSem(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, 1)
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Remove("sem/" + name)
	defer sem.Close()

	status, err := fs.ReadFile(ns, "sem/"+name) // takes nothing
	fmt.Printf("%q %v\n", status, err)
	fi, _ := ns.Stat("sem/" + name)
	fmt.Println(fi.Size() == int64(len(status)), fi.Sys().(ipcfs.SemInfo).Value)

	// Through OpenFile, a read acquires.
	f, _ := ns.OpenFile("sem/"+name, os.O_RDWR, 0)
	defer f.Close()
	n, err := f.Read(make([]byte, 1))
	v, _ := sem.Value()
	fmt.Println(n, err, v)
	// Output:
	// "value 1\nwaiters 0\n" <nil>
	// true 1
	// 1 <nil> 0
}

// CreateTemp is posix_ipc's name=None, with everything the named opens
// take; the handle's Name is its path, which Remove takes.
func ExampleFS_CreateTemp() {
	ns := ipcfs.New()
	f, err := ns.CreateTemp("mq", "jobs-*",
		ipcfs.WithMqAttr(&ipcfs.MqAttr{MaxMessages: 4, MessageSize: 128}), ipcfs.WithPerm(0o600))
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Remove(f.Name())
	defer f.Close()
	a, _ := f.(ipcfs.Mq).Attr()
	fmt.Println(strings.HasPrefix(f.Name(), "mq/jobs-"), a.MaxMessages, a.MessageSize)
	// Output: true 4 128
}
