package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/config"
	"github.com/indicator-matcher/matcher/engine/metrics"
	"github.com/indicator-matcher/matcher/engine/ops"
	"github.com/indicator-matcher/matcher/engine/pipeline"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// runRun is the product: it matches the events arriving on NATS against
// the indicator set and publishes alerts. With no configuration it runs
// the demo on embedded defaults: an embedded NATS server, the bundled
// indicators plus a few planted values, and a replay of the bundled logs.
func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, indicatorFiles := commandFlags("run", stderr)
	dataDir := fs.String("data", "testdata", "folder of the bundled data, for the demo")
	demoFlag := fs.String("demo", "auto", "auto: run the demo when no feed key and no indicator files are configured; on; off")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher run [flags]")
		fmt.Fprintln(stderr, "Matches log events from NATS against the indicators and publishes alerts. The feed key is read from $"+intel.DefaultKeyEnv+" or --api-key-file.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	cfg, log, err := resolveConfig(fs, indicatorFiles, stderr)
	if err != nil {
		return err
	}
	client, err := newIntelClient(cfg.Intel)
	if err != nil {
		return err
	}
	demo := *demoFlag == "on" || *demoFlag == "auto" && client == nil && len(cfg.Matching.Indicators) == 0 && cfg.Intel.Source != "file"
	if demo {
		cfg.Matching.Indicators = []string{
			filepath.Join(*dataDir, "real", "indicators.jsonl.gz"),
			filepath.Join(*dataDir, "real", "benign_indicators.jsonl.gz"),
			filepath.Join(*dataDir, "demo", "indicators.jsonl"),
		}
		if !flagSet(fs, "validity") && os.Getenv("MATCHER_MATCHING_VALIDITY") == "" {
			// The bundled logs are from 2018 and 2020; judge indicator
			// validity by event time and most of today's indicators would
			// not be in force yet.
			cfg.Matching.Validity = "off"
		}
	}
	validity, err := pipeline.ParseValidity(cfg.Matching.Validity)
	if err != nil {
		return err
	}
	mode, err := pipeline.ParseMode(cfg.NATS.Mode)
	if err != nil {
		return err
	}
	x, err := newExtractor(cfg.Matching)
	if err != nil {
		return err
	}
	reg := metrics.NewRegistry()

	// Indicators: files, or the store kept current by the feed sync.
	var source snapshot.Source
	var catalog alert.Catalog
	var st *store.Store
	var syncer *ingest.Syncer
	var syncProgress syncStatus
	if len(cfg.Matching.Indicators) > 0 {
		if source, catalog, err = openIndicatorFiles(cfg.Matching.Indicators, log); err != nil {
			return err
		}
	} else {
		st, err = store.Open(cfg.Intel.Store, store.Options{})
		if err != nil {
			return err
		}
		defer st.Close()
		source, catalog = storeSource(st), alert.CatalogFunc(st.Get)
		if syncer, err = newSyncer(cfg.Intel, client, st, &syncProgress, log); err != nil {
			return err
		}
		if syncer != nil {
			if err := firstSync(ctx, cfg.Intel, client, st, log); err != nil {
				return err
			}
		}
	}
	eng, err := compileIndicators(cfg.Matching, source, log)
	if err != nil {
		return err
	}
	defer eng.Close()
	gcp := newGCPolicy(uint64(cfg.Runtime.GCRunway), log)
	if gcp != nil {
		defer gcp.stop()
	}

	enricher, err := newEnricher(client, cfg.Enrich)
	if err != nil {
		return err
	}
	if enricher != nil {
		defer enricher.Close()
	}
	supp, builder := newAlertParts(cfg, catalog, validity)
	stats := pipeline.NewStats()

	// NATS: an embedded server unless a URL is given.
	url := cfg.NATS.URL
	if url == "" {
		srv, err := pipeline.StartEmbedded(pipeline.EmbeddedOptions{Host: cfg.NATS.Embedded.Host, Port: cfg.NATS.Embedded.Port, JetStream: cfg.NATS.Embedded.JetStream, StoreDir: cfg.NATS.Embedded.StoreDir})
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		url = srv.URL()
		fmt.Fprintf(stdout, "embedded NATS server listening on %s (publish log events to %v)\n", url, cfg.NATS.Subjects)
	}
	nc, err := connectNATS(url, cfg.NATS, stats, log)
	if err != nil {
		return err
	}
	defer nc.Close()

	runner, err := pipeline.NewRunner(nc, pipeline.ProcessorConfig{
		Extractor: x, Loader: eng, Builder: builder, Suppressor: supp, Validity: validity, Stats: stats,
	}, enricher, pipeline.Options{
		Subjects: cfg.NATS.Subjects, QueueGroup: cfg.NATS.QueueGroup, Mode: mode,
		Stream: cfg.NATS.JetStream.Stream, Durable: cfg.NATS.JetStream.Durable, AlertsStream: cfg.NATS.JetStream.AlertsStream,
		AckWait: cfg.NATS.JetStream.AckWait, MaxAckPending: cfg.NATS.JetStream.MaxAckPending, FetchBatch: cfg.NATS.JetStream.FetchBatch,
		AlertPrefix: cfg.NATS.AlertSubjectPrefix, DeadLetter: cfg.NATS.DeadLetterSubject,
		Workers: cfg.Matching.Workers, QueueSize: cfg.Matching.QueueSize,
		PendingMsgs: cfg.NATS.PendingLimits.Msgs, PendingBytes: int(cfg.NATS.PendingLimits.Bytes),
		EnrichBudget: cfg.Enrich.Budget, IncludeRaw: cfg.Alerts.IncludeRaw,
	}, log)
	if err != nil {
		return err
	}
	if err := registerMetrics(reg, runner, eng, enricher, &syncProgress, st, supp); err != nil {
		return err
	}
	if cfg.HTTP.Listen != "" {
		srv := ops.New(cfg.HTTP.Listen, reg, func() error {
			if !runner.Ready() {
				return errors.New("not consuming yet")
			}
			return nil
		}, log)
		if cfg.HTTP.Pprof {
			srv.EnableProfiling()
		}
		addr, err := srv.Start()
		if err != nil {
			return err
		}
		log.Info("operations endpoint", "metrics", "http://"+addr+"/metrics")
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
	}

	runCtx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()
	runDone := make(chan error, 1)
	go func() { runDone <- runner.Run(runCtx) }()
	if gcp != nil {
		gcp.start(250*time.Millisecond, runner.Backlog)
	}

	if syncer != nil {
		syncCtx, cancelSync := context.WithCancel(ctx)
		defer cancelSync()
		go runSyncLoop(syncCtx, syncer, eng, enricher, &syncProgress, log)
	}
	go func() {
		for !runner.Ready() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		fmt.Fprintf(stdout, "matcher: consuming %v on %s (%s mode); alerts on %s.<kind>\n", cfg.NATS.Subjects, nc.ConnectedUrl(), mode, cfg.NATS.AlertSubjectPrefix)
	}()
	if demo {
		go runDemoReplay(ctx, nc, runner, stats, cfg, *dataDir, stdout, log)
	}
	select {
	case <-ctx.Done():
	case err := <-runDone:
		return fmt.Errorf("pipeline stopped: %w", err)
	}
	// Graceful shutdown: stop intake, finish queued events, publish their
	// alerts and the pending summaries, then close the store (deferred).
	log.Info("shutting down: draining")
	cancelRun()
	select {
	case err := <-runDone:
		if err != nil {
			return err
		}
	case <-time.After(cfg.Shutdown.Timeout):
		return errors.New("shutdown: drain did not finish in time")
	}
	fmt.Fprintln(stdout, summaryLine(stats))
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// connectNATS connects to the servers with the configured credentials.
func connectNATS(url string, c config.NATS, stats *pipeline.Stats, log *slog.Logger) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name("matcher"),
		nats.MaxReconnects(-1),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrSlowConsumer) {
				stats.SlowConsumer.Add(1)
				return
			}
			log.Warn("nats", "err", err)
		}),
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.Token != "" {
		opts = append(opts, nats.Token(c.Token))
	}
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("nats nkey: %w", err)
		}
		opts = append(opts, o)
	}
	if c.TLS.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.TLS.CAFile))
	}
	if c.TLS.CertFile != "" {
		opts = append(opts, nats.ClientCert(c.TLS.CertFile, c.TLS.KeyFile))
	}
	if c.TLS.InsecureSkipVerify {
		opts = append(opts, nats.Secure(insecureTLS()))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	return nc, nil
}

// summaryLine describes what the pipeline did.
func summaryLine(s *pipeline.Stats) string {
	return fmt.Sprintf("events %d, matched %d, alerts %d (+%d summaries, %d follow-ups), suppressed %d, rate-limited %d, allow-listed %d, dead letters %v, p50/p99 event-to-alert %s/%s",
		s.EventsIn.Load(), s.EventsMatched.Load(), s.AlertsOut.Load(), s.Summaries.Load(), s.FollowUps.Load(),
		s.Suppressed.Load(), s.RateLimited.Load(), s.Allowlisted.Load(), s.DeadLetters(),
		fmtSeconds(s.Latency.Quantile(0.5)), fmtSeconds(s.Latency.Quantile(0.99)))
}

func fmtSeconds(v float64) string {
	return (time.Duration(v * float64(time.Second))).String()
}

// enrichForget tells the enricher which indicators changed.
func enrichForget(e *enrich.Enricher, c store.Changes) {
	if e == nil {
		return
	}
	for _, r := range c.Upserted {
		e.Forget(r.ID)
	}
	for _, id := range c.Removed {
		e.Forget(id)
	}
}
