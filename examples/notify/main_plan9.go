package main

import (
	"fmt"
	"os"
)

// main says that plan9 has no numbered signals and no message queues.
func main() {
	fmt.Fprintln(os.Stderr, "notify: message queues are not supported on plan9")
	os.Exit(1)
}
