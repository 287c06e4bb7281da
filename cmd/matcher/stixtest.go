package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/indicator-matcher/matcher/engine/conformance"
)

// runStixTest runs STIX pattern conformance vectors: one line per failing
// vector, then "N passed, N failed"; exit status 1 when any failed.
func runStixTest(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stix-test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher stix-test FILE.jsonl...")
		fmt.Fprintln(stderr, "Runs STIX 2.1 pattern test vectors (match and syntax) against the engine.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: stix-test needs at least one vector file", errUsage)
	}
	var total conformance.Summary
	for _, path := range fs.Args() {
		sum, err := conformance.RunFile(path)
		if err != nil {
			return err
		}
		for _, f := range sum.Failures {
			fmt.Fprintln(stdout, f)
		}
		total.Add(sum)
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", total.Passed, total.Failed)
	if total.Failed > 0 {
		return errFailed
	}
	return nil
}
