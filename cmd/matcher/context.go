package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"golang.org/x/time/rate"
)

// apiFlags are the client flags lookup and context share with sync.
type apiFlags struct {
	baseURL  *string
	keyFile  *string
	rps      *float64
	timeout  *time.Duration
	attempts *int
	asJSON   *bool
	full     *bool
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	return &apiFlags{
		baseURL:  fs.String("base-url", intel.DefaultBaseURL, "API host; regional hosts take the form https://<host>/api/"),
		keyFile:  fs.String("api-key-file", "", "file holding the API key (default: $"+intel.DefaultKeyEnv+")"),
		rps:      fs.Float64("rate", float64(intel.DefaultRateLimit), "client request limit per second (0: none)"),
		timeout:  fs.Duration("timeout", time.Minute, "timeout of one request"),
		attempts: fs.Int("max-attempts", 8, "attempts per request on transient errors"),
		asJSON:   fs.Bool("json", false, "print JSON instead of text"),
		full:     fs.Bool("full", false, "include the full context bundle in the JSON"),
	}
}

// enricher makes the API client and an Enricher over it. Retries and
// their waits are bounded by --max-attempts and --timeout, and the whole
// command by the caller's context (Ctrl-C).
func (a *apiFlags) enricher(stderr io.Writer) (*intel.Client, *enrich.Enricher, error) {
	key, err := intel.LoadKey(intel.DefaultKeyEnv, *a.keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	lim := rate.Limit(*a.rps)
	if *a.rps <= 0 {
		lim = rate.Inf
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, err := intel.New(intel.Config{
		BaseURL: *a.baseURL, Key: key, RateLimit: lim, RequestTimeout: *a.timeout,
		MaxAttempts: *a.attempts, Logger: log,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	e, err := enrich.New(client, enrich.Options{
		FullBundle: *a.full, Workers: 1, Logger: log,
		CallTimeout: time.Duration(max(*a.attempts, 1)) * (*a.timeout + 2*time.Minute),
	})
	if err != nil {
		return nil, nil, err
	}
	return client, e, nil
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, which it returns; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// runContext prints the digest of objects/{id}/context.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("context", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher context [flags] ID\n\nPrints the digest of the context of an Intelligence Center object (objects/ID/context):\nthreats with their MITRE ATT&CK ids, courses of action, sources, TLP, relationships.\nThe API key is read from $"+intel.DefaultKeyEnv+" or --api-key-file, never from the command line.\n\nflags:")
		fs.PrintDefaults()
	}
	af := addAPIFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: context takes one object id, e.g. indicator--<uuid> (got %d arguments)", errUsage, len(pos))
	}
	id := pos[0]
	if t, rest, ok := strings.Cut(id, "--"); !ok || t == "" || rest == "" {
		return fmt.Errorf("%w: %q is not a STIX id (type--uuid)", errUsage, id)
	}
	_, e, err := af.enricher(stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	d, err := e.Lookup(ctx, id)
	if err != nil {
		if errors.Is(err, intel.ErrNotFound) {
			fmt.Fprintf(stderr, "matcher: context: the Intelligence Center has no object %s\n", id)
			return errFailed
		}
		return fmt.Errorf("context %s: %w", id, err)
	}
	if *af.asJSON {
		return writeJSON(stdout, d)
	}
	return d.WriteText(stdout)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
