// Premise is Mrs. Premise of posix_ipc's demo1: she creates a shared memory
// segment and a semaphore and talks with conclusion through them.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/premise [-params params.txt] [-q]
package main

import (
	"os"

	"github.com/ipcfs/ipcfs/internal/conversation"
)

func main() {
	os.Exit(conversation.Main("premise", conversation.ShmPremise, os.Args[1:], os.Stdout, os.Stderr))
}
