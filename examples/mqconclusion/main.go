// Mqconclusion is Mrs. Conclusion of posix_ipc's demo2: she answers
// mqpremise through the message queue mqpremise created.
//
// It reads params.txt from the current directory (-params names another
// file) in posix_ipc's format, so it pairs with the C programs in
// examples/c and with posix_ipc's own demos. Start the premise first.
//
//	go run ./examples/mqconclusion [-params params.txt] [-q]
package main

import (
	"os"

	"github.com/ipcfs/ipcfs/internal/conversation"
)

func main() {
	os.Exit(conversation.Main("mqconclusion", conversation.MqConclusion, os.Args[1:], os.Stdout, os.Stderr))
}
