package ipcfs_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/ipcfs/ipcfs"
)

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
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
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
