package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/pipeline"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// runMatch matches log files (or stdin) against indicators and writes the
// alerts as JSON lines: batch mode, and hunting in logs at rest.
func runMatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, indicatorFiles := commandFlags("match", stderr)
	deadLetter := fs.String("dead-letter", "", "write events that cannot be read to this file (JSON lines)")
	quiet := fs.Bool("quiet", false, "no summary on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher match [--indicators FILE]... [flags] [EVENTS.log[.gz]... | -]")
		fmt.Fprintln(stderr, "Matches log events (one per line; JSON or text) and writes alerts as JSON lines to stdout.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, log, err := resolveConfig(fs, indicatorFiles, stderr)
	if err != nil {
		return err
	}
	validity, err := pipeline.ParseValidity(cfg.Matching.Validity)
	if err != nil {
		return err
	}
	x, err := newExtractor(cfg.Matching)
	if err != nil {
		return err
	}

	var source snapshot.Source
	var catalog alert.Catalog
	if len(cfg.Matching.Indicators) > 0 {
		if source, catalog, err = openIndicatorFiles(cfg.Matching.Indicators, log); err != nil {
			return err
		}
	} else {
		st, err := store.Open(cfg.Intel.Store, store.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("no --indicators given and the store cannot be opened: %w", err)
		}
		defer st.Close()
		source, catalog = storeSource(st), alert.CatalogFunc(st.Get)
	}
	eng, err := compileIndicators(cfg.Matching, source, log)
	if err != nil {
		return err
	}
	defer eng.Close()

	client, err := newIntelClient(cfg.Intel)
	if err != nil {
		return err
	}
	enricher, err := newEnricher(client, cfg.Enrich)
	if err != nil {
		return err
	}
	if enricher != nil {
		defer enricher.Close()
	}
	supp, builder := newAlertParts(cfg, catalog, validity)

	var inputs []pipeline.Input
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	if fs.NArg() == 0 || (fs.NArg() == 1 && fs.Arg(0) == "-") {
		inputs = append(inputs, pipeline.Input{Name: "-", R: bufio.NewReader(os.Stdin)})
	} else {
		for _, name := range fs.Args() {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			closers = append(closers, f)
			inputs = append(inputs, pipeline.Input{Name: name, R: f})
		}
	}
	opts := pipeline.OfflineOptions{Workers: cfg.Matching.Workers, MaxLine: int(cfg.Matching.MaxEventBytes), Enricher: enricher, EnrichBudget: cfg.Enrich.Budget, IncludeRaw: cfg.Alerts.IncludeRaw}
	if *deadLetter != "" {
		f, err := os.Create(*deadLetter)
		if err != nil {
			return err
		}
		closers = append(closers, f)
		opts.DeadLetter = f
	}
	stats := pipeline.NewStats()
	out := bufio.NewWriterSize(stdout, 256<<10)
	sum, err := pipeline.RunOffline(ctx, inputs, pipeline.ProcessorConfig{
		Extractor: x, Loader: eng, Builder: builder, Suppressor: supp, Validity: validity, Stats: stats,
	}, out, opts)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if !*quiet {
		fmt.Fprintf(stderr, "matched %d of %d events: %d alerts, %d dead letters %v, %d suppressed, %d rate-limited, %d allow-listed by benign indicators, validity %s, in %s\n",
			sum.Matched, sum.Events, sum.Alerts, sum.DeadLetters, stats.DeadLetters(), stats.Suppressed.Load(), stats.RateLimited.Load(), stats.Allowlisted.Load(), validity, sum.Elapsed.Round(1e6))
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
