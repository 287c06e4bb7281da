package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/store"
	"golang.org/x/time/rate"
)

// runSync pulls the Intelligence Center feed (REST or TAXII) or a STIX file
// into the indicator store.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher sync [flags]\n\nThe API key is read from $"+intel.DefaultKeyEnv+" or --api-key-file, never from the command line.\n\nflags:")
		fs.PrintDefaults()
	}
	storePath := fs.String("store", "matcher.db", "indicator store file")
	source := fs.String("source", "rest", "feed source: rest, taxii or file")
	baseURL := fs.String("base-url", intel.DefaultBaseURL, "API host; regional hosts take the form https://<host>/api/")
	feed := fs.String("feed", intel.DefaultFeedID, "feed id (the TAXII collection id)")
	keyFile := fs.String("api-key-file", "", "file holding the API key (default: $"+intel.DefaultKeyEnv+")")
	taxiiRoot := fs.String("taxii-root", "", "TAXII API root URL (default: <base-url>v2/inthreat/taxii-server/)")
	file := fs.String("file", "", "STIX bundle, JSON array or JSON Lines file (gzip allowed) for --source file")
	limit := fs.Int("limit", intel.MaxFeedLimit, "objects per page, 1..2000")
	types := fs.String("types", "indicator", "match[type] filter, comma-separated; * for every type")
	modifiedAfter := fs.String("modified-after", "", "first sync only: objects modified after this RFC 3339 time")
	skipExpired := fs.Bool("skip-expired", false, "ask the API not to send expired indicators")
	poll := fs.Duration("poll", 5*time.Minute, "interval of incremental pulls once caught up")
	once := fs.Bool("once", false, "stop when caught up")
	rps := fs.Float64("rate", float64(intel.DefaultRateLimit), "client request limit per second (0: none)")
	timeout := fs.Duration("timeout", time.Minute, "timeout of one request")
	attempts := fs.Int("max-attempts", 8, "attempts per request on transient errors")
	reset := fs.Bool("reset-cursor", false, "forget the saved cursor first (full re-sync)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	every := fs.Duration("progress", time.Second, "minimum interval between progress lines")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: sync takes no arguments (got %q)", errUsage, fs.Arg(0))
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	typeList := strings.Split(*types, ",")

	var src ingest.Source
	var client *intel.Client
	switch *source {
	case "rest", "taxii":
		key, err := intel.LoadKey(intel.DefaultKeyEnv, *keyFile)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		lim := rate.Limit(*rps)
		if *rps <= 0 {
			lim = rate.Inf
		}
		client, err = intel.New(intel.Config{
			BaseURL: *baseURL, Key: key, RateLimit: lim, RequestTimeout: *timeout,
			MaxAttempts: *attempts, TAXIIRoot: *taxiiRoot, Logger: log,
		})
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if *source == "rest" {
			opts := ingest.RESTOptions{FeedID: *feed, Limit: *limit, Types: typeList, SkipExpired: *skipExpired}
			if *modifiedAfter != "" {
				if opts.ModifiedAfter, err = time.Parse(time.RFC3339Nano, *modifiedAfter); err != nil {
					return fmt.Errorf("%w: --modified-after: %v", errUsage, err)
				}
			}
			src, err = ingest.NewRESTSource(client, opts)
		} else {
			opts := ingest.TAXIIOptions{Collection: *feed, Limit: *limit, Types: typeList}
			if *modifiedAfter != "" {
				if opts.AddedAfter, err = time.Parse(time.RFC3339Nano, *modifiedAfter); err != nil {
					return fmt.Errorf("%w: --modified-after: %v", errUsage, err)
				}
			}
			src, err = ingest.NewTAXIISource(client, opts)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	case "file":
		if *file == "" {
			return fmt.Errorf("%w: --source file needs --file", errUsage)
		}
		var err error
		if src, err = ingest.NewFileSource(*file, *limit); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: --source must be rest, taxii or file", errUsage)
	}

	st, err := store.Open(*storePath, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if *reset {
		name, feedKey := src.Key()
		if err := st.ResetCursor(name, feedKey); err != nil {
			return err
		}
	}
	var last time.Time
	opts := ingest.Options{Once: *once, PollInterval: *poll, Logger: log}
	if !*quiet {
		opts.Progress = func(p ingest.Progress) {
			if time.Since(last) >= *every || p.CaughtUp {
				last = time.Now()
				fmt.Fprintln(stderr, "sync:", p.Describe())
			}
		}
	}
	p, runErr := ingest.NewSyncer(st, src, opts).Run(ctx, nil)
	counts, cerr := st.Counts()
	active := 0
	aerr := st.ForEachActive(time.Now(), func(store.Record) error { active++; return nil })
	fmt.Fprintf(stdout, "sync: %d objects in %d pages in %s (%.0f objects/s); %d indicators stored, %d active, %d revoked ids; %d skipped, %d invalid; caught up %v\n",
		p.Objects, p.Pages, p.Elapsed.Round(time.Millisecond), p.Rate(), counts.Indicators, active, counts.Tombstones, p.Skipped, p.Invalid, p.CaughtUp)
	if client != nil {
		cs := client.Stats()
		fmt.Fprintf(stdout, "sync: %d requests, %d retries (%d throttled, %d server errors, %d network errors, %d bad bodies)\n",
			cs.Requests, cs.Retries, cs.Throttled, cs.ServerErrors, cs.NetworkErrors, cs.BadBodies)
	}
	if runErr != nil {
		return runErr
	}
	return errors.Join(cerr, aerr)
}
