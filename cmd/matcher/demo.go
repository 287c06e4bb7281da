package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/indicator-matcher/matcher/engine/conformance"
	"github.com/indicator-matcher/matcher/engine/eval"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/pattern"
	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

// runDemo runs the pattern engine over the bundled data: it compiles every
// bundled real indicator and runs the bundled conformance vectors.
func runDemo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "testdata", "folder holding the bundled data")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	start := time.Now()
	var total, compiled int
	problems := map[string]int{}
	for _, name := range []string{"real/indicators.jsonl.gz", "real/benign_indicators.jsonl.gz"} {
		err := stixfile.ReadFile(filepath.Join(*data, name), func(obj []byte) error {
			total++
			ind, err := indicator.Decode(obj)
			if err != nil {
				problems["decode"]++
				return nil
			}
			p, err := pattern.Parse(ind.Pattern)
			if err != nil {
				problems["syntax"]++
				return nil
			}
			if _, err := eval.Compile(p); err != nil {
				problems["compile"]++
				return nil
			}
			compiled++
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "indicators: %d read, %d compiled in %s, problems %v\n", total, compiled, time.Since(start).Round(time.Millisecond), problems)
	files, _ := filepath.Glob(filepath.Join(*data, "stix", "*.jsonl"))
	var sum conformance.Summary
	for _, f := range files {
		s, err := conformance.RunFile(f)
		if err != nil {
			return err
		}
		sum.Add(s)
	}
	fmt.Fprintf(stdout, "conformance vectors: %d passed, %d failed\n", sum.Passed, sum.Failed)
	for _, f := range sum.Failures {
		fmt.Fprintln(stdout, " ", f)
	}
	return nil
}
