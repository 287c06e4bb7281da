package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/indicator-matcher/matcher/engine/plan"
)

// runExplain prints the matching plan of one pattern.
func runExplain(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	patternType := fs.String("pattern-type", "stix", "the indicator's pattern_type")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher explain [-pattern-type T] 'PATTERN'")
		fmt.Fprintln(stderr, "Prints which index entries produce candidates and how they are verified.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: explain takes exactly one pattern", errUsage)
	}
	pl, err := plan.Compile(fs.Arg(0), *patternType, plan.Options{})
	if err != nil {
		return err
	}
	return pl.Explain(stdout)
}
