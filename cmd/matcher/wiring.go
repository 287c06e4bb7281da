package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/config"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/ops"
	"github.com/indicator-matcher/matcher/engine/pipeline"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/indexes/cidr"
	"github.com/indicator-matcher/matcher/indexes/substr"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/stixfile"
	"github.com/indicator-matcher/matcher/ingest/store"
	"golang.org/x/time/rate"
)

// commandFlags makes the flag set of a command that takes the
// configuration flags, plus the repeatable --indicators flag.
func commandFlags(name string, stderr io.Writer) (*flag.FlagSet, *stringList) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := config.Default()
	flags.BindFlags(fs)
	indicators := &stringList{}
	fs.Var(indicators, "indicators", "indicator file (STIX bundle or JSON Lines, .gz ok) loaded instead of the store; repeatable")
	return fs, indicators
}

// resolveConfig layers defaults, file, environment and flags once fs has
// parsed the command line, and sets up the logger.
func resolveConfig(fs *flag.FlagSet, indicators *stringList, stderr io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := config.Resolve(fs, os.Environ())
	if err != nil {
		return cfg, nil, err
	}
	if len(*indicators) > 0 {
		cfg.Matching.Indicators = *indicators
	}
	log, err := ops.NewLogger(cfg.Log.Level, cfg.Log.Format, stderr)
	return cfg, log, err
}

// newExtractor builds the event extractor from the matching section.
func newExtractor(m config.Matching) (*extract.Extractor, error) {
	xc := extract.Config{MaxEventBytes: int(m.MaxEventBytes)}
	if m.TimeZone != "" {
		loc, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("matching.time_zone: %w", err)
		}
		xc.TimeZone = loc
	}
	for _, s := range m.Subjects {
		xc.Subjects = append(xc.Subjects, extract.SubjectRule{Subject: s.Subject, Profile: s.Profile})
	}
	if m.Profile != "" {
		xc.Subjects = append(xc.Subjects, extract.SubjectRule{Subject: ">", Profile: m.Profile})
	}
	if m.ProfilesFile != "" {
		f, err := os.Open(m.ProfilesFile)
		if err != nil {
			return nil, fmt.Errorf("profiles file: %w", err)
		}
		specs, err := extract.LoadProfiles(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		xc.Profiles = specs
	}
	return extract.New(xc)
}

// snapshotOptions maps the matching section to snapshot options.
func snapshotOptions(m config.Matching) snapshot.Options {
	o := snapshot.Options{MatchSubdomains: m.MatchSubdomains}
	if m.CIDRBackend == config.CIDRCIDRanger {
		o.CIDRBackend = cidr.BackendRanger
	}
	if m.SubstringBackend == config.SubstringCloudflare {
		o.SubstringBackend = substr.BackendCloudflare
	}
	return o
}

// fileSet is an indicator set read from files, held compactly
// (indicator.Set): the compile inputs and the full indicators alerts show.
type fileSet struct {
	set *indicator.Set
	// diags are the indicator objects that could not be read; the rest of
	// the files is used.
	diags []snapshot.Diagnostic
}

// loadIndicatorFiles reads STIX bundles or JSON Lines files (gzip or not).
// Of two indicators with one id, the later modified wins. An object that
// is not an indicator is skipped; an indicator that cannot be decoded
// becomes a diagnostic. A file that cannot be read is an error.
func loadIndicatorFiles(paths []string) (*fileSet, error) {
	var b indicator.SetBuilder
	fs := &fileSet{}
	// Objects go to the builder in batches, whose heads it decodes on
	// every CPU; the reader's bytes are borrowed, so a batch copies them.
	const batchBytes = 4 << 20
	var buf []byte
	var ends []int
	n := 0
	flush := func(p string) {
		objs := make([][]byte, len(ends))
		start := 0
		for i, end := range ends {
			objs[i] = buf[start:end:end]
			start = end
		}
		for i, err := range b.AddBatch(objs) {
			if err != nil && !errors.Is(err, indicator.ErrNotIndicator) {
				fs.diags = append(fs.diags, snapshot.Diagnostic{ID: fmt.Sprintf("%s: object %d", p, n-len(objs)+i+1), Err: err})
			}
		}
		buf, ends = buf[:0], ends[:0]
	}
	for _, p := range paths {
		n = 0
		err := stixfile.ReadFile(p, func(obj []byte) error {
			n++
			buf = append(buf, obj...)
			ends = append(ends, len(buf))
			if len(buf) >= batchBytes {
				flush(p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		flush(p)
	}
	fs.set = b.Set()
	return fs, nil
}

// openIndicatorFiles reads indicator files for matching: the compile
// source and the catalog alerts read, with the unreadable objects logged.
func openIndicatorFiles(paths []string, log *slog.Logger) (snapshot.Source, alert.Catalog, error) {
	set, err := loadIndicatorFiles(paths)
	if err != nil {
		return nil, nil, err
	}
	logDiagnostics(log, set.diags)
	log.Info("indicator files read", "indicators", set.set.Len(), "bytes", set.set.Bytes(), "unreadable", len(set.diags))
	return set.source, alert.CatalogFunc(set.lookup), nil
}

// compileIndicators builds the engine from source and logs its
// diagnostics and size.
func compileIndicators(m config.Matching, source snapshot.Source, log *slog.Logger) (*snapshot.Engine, error) {
	start := time.Now()
	eng, diags, err := snapshot.NewEngine(snapshotOptions(m), source)
	if err != nil {
		return nil, err
	}
	logDiagnostics(log, diags)
	log.Info("indicators compiled", "snapshot", eng.Load().String(), "diagnostics", len(diags), "took", time.Since(start).Round(time.Millisecond))
	return eng, nil
}

func (fs *fileSet) source(yield func(snapshot.Indicator) error) error {
	return fs.set.ForEach(func(h indicator.Head) error { return yield(snapshot.FromHead(h)) })
}

func (fs *fileSet) lookup(id string) (indicator.Indicator, error) {
	ind, ok, err := fs.set.Get(id)
	if err != nil {
		return indicator.Indicator{}, err
	}
	if !ok {
		return indicator.Indicator{}, fmt.Errorf("indicator %s is not in the loaded files", id)
	}
	return ind, nil
}

// storeSource yields the store's active indicators.
func storeSource(st *store.Store) snapshot.Source {
	return func(yield func(snapshot.Indicator) error) error {
		return st.ForEachActive(time.Now(), func(r store.Record) error {
			return yield(fromRecord(r))
		})
	}
}

func fromRecord(r store.Record) snapshot.Indicator {
	return snapshot.Indicator{ID: r.ID, Pattern: r.Pattern, PatternType: r.PatternType, ValidFrom: r.ValidFrom,
		ValidUntil: r.ValidUntil, Modified: r.Modified, Revoked: r.Revoked, Benign: r.Benign}
}

// changesOf turns a page of store changes into snapshot changes.
func changesOf(c store.Changes) []snapshot.Change {
	out := make([]snapshot.Change, 0, len(c.Upserted)+len(c.Removed))
	for _, r := range c.Upserted {
		out = append(out, snapshot.Change{Indicator: fromRecord(r)})
	}
	for _, id := range c.Removed {
		out = append(out, snapshot.Change{Removed: id})
	}
	return out
}

// logDiagnostics reports the indicators the engine cannot use, or uses in
// part: one line each (they are per indicator, not per event).
func logDiagnostics(log *slog.Logger, diags []snapshot.Diagnostic) {
	for _, d := range diags {
		log.Warn("indicator diagnostic", "indicator", d.ID, "problem", d.Err.Error())
	}
}

// newIntelClient builds the API client when a key is configured: from
// $SEKOIA_API_KEY or intel.api_key_file. It returns nil, nil without a key.
func newIntelClient(ic config.Intel) (*intel.Client, error) {
	key, err := intel.LoadKey(intel.DefaultKeyEnv, ic.APIKeyFile)
	if err != nil {
		if errors.Is(err, intel.ErrNoKey) {
			return nil, nil
		}
		return nil, err
	}
	lim := rate.Limit(ic.Rate)
	if ic.Rate <= 0 {
		lim = rate.Inf
	}
	return intel.New(intel.Config{BaseURL: ic.BaseURL, Key: key, RequestTimeout: ic.Timeout, RateLimit: lim})
}

// newEnricher builds the enricher over the API client, or nil when
// enrichment is off or there is no client.
func newEnricher(client *intel.Client, ec config.Enrich) (*enrich.Enricher, error) {
	if client == nil || !ec.Enabled {
		return nil, nil
	}
	return enrich.New(client, enrich.Options{TTL: ec.TTL, MaxEntries: ec.MaxEntries, Budget: ec.Budget, FollowUp: ec.FollowUp, FullBundle: ec.FullBundle})
}

// newAlertParts builds the suppressor and the alert builder.
func newAlertParts(cfg config.Config, catalog alert.Catalog, validity pipeline.Validity) (*alert.Suppressor, *alert.Builder) {
	supp := alert.NewSuppressor(alert.SuppressOptions{Window: cfg.Alerts.SuppressWindow, MaxPairs: cfg.Alerts.MaxPairs, Rate: cfg.Alerts.RatePerIndicator, Burst: cfg.Alerts.Burst})
	b := &alert.Builder{Catalog: catalog, Validity: validity.String(), TLP: enrich.TLP}
	return supp, b
}
