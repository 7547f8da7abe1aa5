// Command ipcfs works with the host's POSIX IPC objects.
//
// This minimal main only knows the demo subcommand; the full command table
// lives in the cli branch, which calls runDemo for "demo".
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "demo" {
		fmt.Fprintln(os.Stderr, "usage: ipcfs demo [--iterations N] [--transport shm|mq|all] [--json]")
		os.Exit(2)
	}
	os.Exit(runDemo(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
}
