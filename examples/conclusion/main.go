// Conclusion is Mrs. Conclusion of posix_ipc's demo1: she answers premise
// through the shared memory segment and semaphore premise created.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/conclusion [-params params.txt] [-q]
package main

import (
	"os"

	"github.com/ipcfs/ipcfs/internal/conversation"
)

func main() {
	os.Exit(conversation.Main("conclusion", conversation.ShmConclusion, os.Args[1:], os.Stdout, os.Stderr))
}
