// Mqpremise is Mrs. Premise of posix_ipc's demo2: she creates a message
// queue and talks with mqconclusion through it.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/mqpremise [-params params.txt] [-q]
package main

import (
	"os"

	"github.com/ipcfs/ipcfs/internal/conversation"
)

func main() {
	os.Exit(conversation.Main("mqpremise", conversation.MqPremise, os.Args[1:], os.Stdout, os.Stderr))
}
