package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

// faultFlags collects repeated --fault rules.
type faultFlags []intelserver.FaultRule

func (f *faultFlags) String() string { return fmt.Sprint(len(*f), " rules") }

func (f *faultFlags) Set(s string) error {
	r, err := intelserver.ParseFault(s)
	if err != nil {
		return err
	}
	*f = append(*f, r)
	return nil
}

// runIntelServer serves a dataset with the stand-in Intelligence Center.
func runIntelServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("intel-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var faults faultFlags
	data := fs.String("data", "", "STIX bundle, JSON array or JSON Lines file to serve (gzip allowed), e.g. testdata/real/indicators.jsonl.gz")
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	keyFile := fs.String("key-file", "", "file holding the accepted API key (default: $"+intel.DefaultKeyEnv+"; neither: any non-empty key)")
	feeds := fs.String("feeds", intelserver.DefaultFeedID, "comma-separated feed ids served")
	maxInd := fs.Int("max-indicators", 0, "serve only N indicators, spread over the file (0: all)")
	scale := fs.Int("scale", 0, "add synthetic copies up to N indicators")
	plain := fs.Bool("plain", false, "serve indicators as in the file, without Sekoia's extension fields")
	noRelated := fs.Bool("no-related", false, "do not generate threat objects, relationships, sources, markings, courses of action")
	fs.Var(&faults, "fault", "fault rule kind[,every=N][,p=F][,skip=N][,max=N][,endpoints=a+b] (repeatable); kinds: 429, 429-retry-after, 500, 502, 503, slow, drop, truncate, invalid-json, 401, 403")
	seed := fs.Uint64("seed", 1, "seed of probabilistic faults and churn")
	slow := fs.Duration("slow", 2*time.Second, "delay of the slow fault")
	retryAfter := fs.Duration("retry-after", time.Second, "Retry-After of the 429-retry-after fault")
	nullCursor := fs.Bool("null-cursor", false, "send next_cursor null on the last page of a pull")
	churn := fs.Duration("churn", 0, "every interval, modify, revoke and add one indicator (0: never)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *data == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: intel-server needs --data FILE and no arguments", errUsage)
	}
	opts := intelserver.Options{
		Feeds:           strings.Split(*feeds, ","),
		Faults:          intelserver.FaultPlan{Rules: faults, Seed: *seed, SlowDelay: *slow, RetryAfter: *retryAfter},
		NullCursorAtEnd: *nullCursor,
		Logger:          slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if *keyFile != "" || os.Getenv(intel.DefaultKeyEnv) != "" {
		raw, err := acceptedKey(*keyFile)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		opts.Keys = []string{raw}
	}
	start := time.Now()
	ds, err := intelserver.LoadDataset(*data, intelserver.DatasetOptions{MaxIndicators: *maxInd, Scale: *scale, Plain: *plain, NoRelated: *noRelated})
	if err != nil {
		return err
	}
	srv := intelserver.New(ds, opts)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("intel-server: %w", err)
	}
	auth := "any non-empty key"
	if len(opts.Keys) > 0 {
		auth = "the configured key"
	}
	fmt.Fprintf(stdout, "intel-server: %d objects (%d indicators) loaded in %s; %d fault rules; accepting %s\n",
		ds.Len(), ds.Indicators(), time.Since(start).Round(time.Millisecond), len(faults), auth)
	fmt.Fprintf(stdout, "intel-server: REST  http://%s/api/v2/inthreat/ (also /v2/inthreat/)\n", ln.Addr())
	fmt.Fprintf(stdout, "intel-server: TAXII http://%s/api/v2/inthreat/taxii-server/taxii2/\n", ln.Addr())
	fmt.Fprintf(stdout, "intel-server: request counts at http://%s/debug/intel/requests\n", ln.Addr())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	if *churn > 0 {
		go func() {
			if err := srv.Churn(ctx, *churn, *seed); err != nil {
				errc <- err
			}
		}()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("intel-server: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// acceptedKey reads the key the stand-in accepts. It is the server's own
// secret and is never printed.
func acceptedKey(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(intel.DefaultKeyEnv)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	k := strings.TrimSpace(string(b))
	if k == "" {
		return "", errors.New("the key file is empty")
	}
	return k, nil
}
