package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/indicator-matcher/matcher/engine/eval"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// runParse parses one pattern and prints its canonical form, the result of
// the reference validator's checks, and its inspection.
func runParse(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the inspection as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher parse [-json] 'PATTERN'")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: parse takes exactly one pattern", errUsage)
	}
	p, err := pattern.Parse(fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p.Inspect())
	}
	fmt.Fprintln(stdout, "canonical:", p.String())
	status := func(err error) string {
		if err == nil {
			return "ok"
		}
		return err.Error()
	}
	fmt.Fprintln(stdout, "validator:", status(p.Validate()))
	fmt.Fprintln(stdout, "root types:", status(p.CheckRootTypes()))
	m, err := eval.Compile(p)
	fmt.Fprintln(stdout, "evaluable:", status(err))
	if err == nil {
		fmt.Fprintln(stdout, "min observations:", m.MinObservations())
	}
	return nil
}
