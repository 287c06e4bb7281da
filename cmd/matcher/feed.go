package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/indicator-matcher/matcher/engine/config"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// newSource builds the feed source of the intel section; nil when the
// section says none, or when a remote source has no key.
func newSource(ic config.Intel, client *intel.Client) (ingest.Source, error) {
	switch ic.Source {
	case "none", "":
		return nil, nil
	case "file":
		if ic.File == "" {
			return nil, fmt.Errorf("config: intel.file: source file needs a file")
		}
		return ingest.NewFileSource(ic.File, ic.Limit)
	}
	if client == nil {
		return nil, nil
	}
	if ic.Source == "taxii" {
		return ingest.NewTAXIISource(client, ingest.TAXIIOptions{Root: ic.TAXIIRoot, Collection: ic.FeedID, Limit: ic.Limit})
	}
	return ingest.NewRESTSource(client, ingest.RESTOptions{FeedID: ic.FeedID, Limit: ic.Limit})
}

// newSyncer builds the background feed sync, or nil without a source.
func newSyncer(ic config.Intel, client *intel.Client, st *store.Store, status *syncStatus, log *slog.Logger) (*ingest.Syncer, error) {
	src, err := newSource(ic, client)
	if err != nil || src == nil {
		return nil, err
	}
	return ingest.NewSyncer(st, src, ingest.Options{PollInterval: ic.PollInterval, Logger: log, Progress: status.set}), nil
}

// firstSync pulls the feed until caught up when the store holds nothing
// of it yet, so that the first snapshot is complete.
func firstSync(ctx context.Context, ic config.Intel, client *intel.Client, st *store.Store, log *slog.Logger) error {
	src, err := newSource(ic, client)
	if err != nil || src == nil {
		return err
	}
	name, feed := src.Key()
	if c, err := st.Cursor(name, feed); err == nil && c.Value != "" {
		return nil // resume incrementally in the background
	}
	log.Info("first sync of the feed", "source", name, "feed", feed)
	var last time.Time
	p, err := ingest.NewSyncer(st, src, ingest.Options{Once: true, Logger: log, Progress: func(p ingest.Progress) {
		if time.Since(last) > 5*time.Second || p.CaughtUp {
			last = time.Now()
			log.Info("sync", "progress", p.Describe())
		}
	}}).Run(ctx, nil)
	if err != nil {
		return fmt.Errorf("first sync: %w", err)
	}
	log.Info("first sync done", "objects", p.Objects, "pages", p.Pages, "took", p.Elapsed.Round(time.Millisecond))
	return nil
}

// syncStatus is the feed sync state, for metrics.
type syncStatus struct {
	mu       sync.Mutex
	progress ingest.Progress
	lastOK   time.Time
	running  bool
	applyErr int
}

func (s *syncStatus) set(p ingest.Progress) {
	s.mu.Lock()
	s.progress, s.lastOK, s.running = p, time.Now(), true
	s.mu.Unlock()
}

func (s *syncStatus) get() (ingest.Progress, time.Time, bool, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.progress, s.lastOK, s.running, s.applyErr
}

// runSyncLoop keeps the store current and pushes each stored page's
// changes into the engine, so they are visible to matching within a
// page's time.
func runSyncLoop(ctx context.Context, s *ingest.Syncer, eng *snapshot.Engine, e *enrich.Enricher, status *syncStatus, log *slog.Logger) {
	_, err := s.Run(ctx, func(c store.Changes) {
		if diags, err := eng.Apply(changesOf(c)); err != nil {
			status.mu.Lock()
			status.applyErr++
			status.mu.Unlock()
			log.Error("applying feed changes", "err", err)
		} else {
			logDiagnostics(log, diags)
		}
		enrichForget(e, c)
	})
	if err != nil && ctx.Err() == nil {
		log.Error("feed sync stopped", "err", err)
	}
}

func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} } //nolint:gosec // opt-in by config
