package conversation

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Speaker is one side of a conversation: ShmPremise, ShmConclusion,
// MqPremise or MqConclusion.
type Speaker func(ctx context.Context, p Params, o Options) error

// Main is the body of the example programs premise, conclusion, mqpremise
// and mqconclusion: it reads params.txt from the current directory (or the
// file named by -params), runs speak until it finishes or SIGINT/SIGTERM
// arrives, and returns the exit status: 0 on success, 1 on an error, 2 on
// bad usage.
func Main(prog string, speak Speaker, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet(prog, flag.ContinueOnError)
	flags.SetOutput(stderr)
	paramsPath := flags.String("params", "params.txt", "the `file` holding ITERATIONS, SEMAPHORE_NAME, ... (posix_ipc's format)")
	quiet := flags.Bool("q", false, "print nothing but errors")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [-params file] [-q]\n\nOne side of posix_ipc's Premise/Conclusion demo; start the premise first.\n\n", prog)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		flags.Usage()
		return 2
	}
	p, err := ReadParamsFile(*paramsPath)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := Options{Log: stdout}
	if *quiet {
		o.Log = nil
	}
	if err := speak(ctx, p, o); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}
