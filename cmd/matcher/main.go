// Command matcher matches log events against STIX 2.1 threat-intelligence
// indicators. See README.md for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	_ "time/tzdata" // matching.time_zone works on hosts without a zone database
)

// command is one subcommand. run receives the arguments after the
// subcommand's name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// errUsage marks an error that is the user's: the message is printed and the
// exit status is 2.
var errUsage = errors.New("usage")

// errFailed asks for exit status 1 without printing anything more; the
// command has already reported.
var errFailed = errors.New("failed")

func commands() map[string]command {
	return map[string]command{
		"run":       {"match log events from NATS and publish alerts (the demo on embedded defaults)", runRun},
		"match":     {"match log files or stdin against indicators; alerts as JSON lines", runMatch},
		"stix-test": {"run STIX pattern conformance vectors (JSON Lines)", runStixTest},
		"parse":     {"parse a STIX pattern and print its canonical form", runParse},
		"explain":   {"print how a pattern is indexed and verified", runExplain},
		"sync":      {"pull the Intelligence Center feed into the indicator store", runSync},
		"lookup":    {"look an IOC up in the Intelligence Center and print its context", runLookup},
		"context":   {"print the context digest of an Intelligence Center object", runContext},

		"intel-server": {"serve a dataset as a stand-in Intelligence Center API", runIntelServer},
		"bench":        {"measure throughput, latency and memory against a naive baseline; writes a report", runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errFailed):
		os.Exit(1)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "matcher:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "matcher:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout, cmds)
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		printHelp(stderr, cmds)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the flag set has printed the usage
	}
	return err
}

func printHelp(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: matcher <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'matcher <command> -h' for a command's flags.")
}
