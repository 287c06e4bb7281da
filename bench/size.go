package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/pipeline"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// SizeResult is everything measured at one indicator count.
type SizeResult struct {
	Indicators  int
	Compile     time.Duration  // snapshot build, in process
	HeapBytes   int64          // heap held by the engine after the build
	Stats       snapshot.Stats // of the compiled snapshot
	Diagnostics int
	// VerifyAlwaysLeftOut is the number of indicators left out of the
	// set of the "without verify-always" breakdown stage.
	VerifyAlwaysLeftOut int
	Update              *UpdateResult
	Workloads           []WorkloadResult
	Matcher             *MatcherResult
}

// MatcherResult describes the matcher process of the end-to-end stage.
type MatcherResult struct {
	Startup time.Duration // start to ready: loading the file and compiling
	Compile string        // the matcher's own compile time, from its log
	Memory  Memory        // read just before it stopped
	// LiveHeap is the largest heap its garbage collections found live
	// (from its GC trace).
	LiveHeap uint64
	Summary  string // its summary line at exit
}

// WorkloadResult is one workload at one size.
type WorkloadResult struct {
	Name    string
	Events  int   // distinct events
	Bytes   int64 // their bytes
	Planted int   // generated events carrying an indicator value
	// AlertsPerPass is the alerts of one in-order pass of the match path
	// over the events: what the end-to-end stage must deliver.
	AlertsPerPass int64
	BadEvents     int64
	// Candidates and Verifications are per event, from one pass of
	// snapshot matching.
	Candidates, Verifications float64

	Parse, Match, Naive *Throughput
	// The breakdown of the match path: matching without alert building,
	// extraction plus the STIX observation verification reads, and the
	// match path on the set without its verify-always indicators.
	MatchOnly, Observation, NoVerifyAlways *Throughput

	RawNATS, E2E *E2EResult
	// E2EPasses is how many times the end-to-end runs cycle through the
	// events, so that they last about as long as the in-process stages.
	E2EPasses int
	// Latencies are the latency runs, one per load (Config.LatencyLoads).
	Latencies []Latency
}

// halfRate is the latency run at half the end-to-end rate, which the
// target is judged on, or nil.
func (w *WorkloadResult) halfRate() *Latency {
	for i := range w.Latencies {
		if w.Latencies[i].Load == 0.5 {
			return &w.Latencies[i]
		}
	}
	return nil
}

func (s *sizeRun) run(ctx context.Context, n int, last bool) (SizeResult, error) {
	cfg := s.cfg
	name := sizeName(n)
	s.prog.printf("%s indicators: generating the set from %d real ones", name, len(s.real))
	inds := gen.Scale(s.real, gen.Options{N: n, Seed: cfg.Seed, MinSubstring: n / 100, MinCIDR: n / 1000})
	res := SizeResult{Indicators: len(inds)}

	s.prog.printf("%s: compiling", name)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	eng, diags, err := snapshot.NewEngine(snapshot.Options{}, sliceSource(inds))
	if err != nil {
		return res, err
	}
	res.Compile = time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	res.HeapBytes = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	res.Stats, res.Diagnostics = eng.Load().Stats(), len(diags)
	s.prog.printf("%s: compiled in %s: %s", name, res.Compile.Round(time.Millisecond), eng.Load())

	procCfg := processorConfig(s, inds, eng)
	events := map[string][]gen.Event{}
	for _, wl := range cfg.Workloads {
		evs, err := s.workload(wl, inds)
		if err != nil {
			return res, err
		}
		events[wl] = evs
		wr := newWorkloadResult(wl, evs)
		if err := s.matchStages(ctx, name, &wr, evs, procCfg, eng, last); err != nil {
			return res, err
		}
		res.Workloads = append(res.Workloads, wr)
	}
	if cfg.has(StageBreakdown) && res.Stats.VerifyAlways > 0 {
		if err := s.withoutVerifyAlways(ctx, name, inds, events, &res, last); err != nil {
			return res, err
		}
	}
	if cfg.has(StageNaive) {
		// Built only now, so that the match stages run without the naive
		// maps in the heap, and dropped after.
		naive := NewNaive(inds)
		for i := range res.Workloads {
			wr := &res.Workloads[i]
			if wr.Naive, err = s.stage(ctx, StageNaive, name, wr.Name, events[wr.Name], 3*cfg.Duration, last, naiveHandler(naive)); err != nil {
				return res, err
			}
		}
	}
	if cfg.has(StageUpdate) {
		s.prog.printf("%s: update latency", name)
		u, err := updateLatency(eng, inds, 5, 1000)
		if err != nil {
			return res, err
		}
		res.Update = &u
	}
	eng.Close()
	if !cfg.has(StageE2E) {
		return res, nil
	}
	// The matcher process compiles its own copy; this one is no longer
	// referenced and is collected first.
	runtime.GC()
	m, err := s.endToEnd(ctx, name, inds, events, res.Workloads, last)
	res.Matcher = m
	return res, err
}

func sliceSource(inds []snapshot.Indicator) snapshot.Source {
	return func(yield func(snapshot.Indicator) error) error {
		for _, ind := range inds {
			if err := yield(ind); err != nil {
				return err
			}
		}
		return nil
	}
}

// processorConfig is the match path's configuration: validity windows
// off (the logs are old), no suppression, the alert catalog made from the
// generated indicators as the matcher process reads them back.
func processorConfig(s *sizeRun, inds []snapshot.Indicator, l pipeline.Loader) pipeline.ProcessorConfig {
	byID := make(map[string]int, len(inds))
	for i, ind := range inds {
		byID[ind.ID] = i
	}
	catalog := alert.CatalogFunc(func(id string) (indicator.Indicator, error) {
		i, ok := byID[id]
		if !ok {
			return indicator.Indicator{}, fmt.Errorf("bench: no indicator %s", id)
		}
		return gen.ToSTIX(inds[i]), nil
	})
	return pipeline.ProcessorConfig{
		Extractor: s.x, Loader: l, Validity: pipeline.ValidityOff,
		Builder:    &alert.Builder{Catalog: catalog, Validity: pipeline.ValidityOff.String()},
		Suppressor: alert.NewSuppressor(alert.SuppressOptions{}),
	}
}

// workload makes the events of one workload.
func (s *sizeRun) workload(wl string, inds []snapshot.Indicator) ([]gen.Event, error) {
	switch wl {
	case WorkloadGenerated:
		return gen.Events(inds, gen.EventOptions{N: s.cfg.Events, Seed: s.cfg.Seed, HitRate: s.cfg.HitRate, Schemas: s.cfg.Schemas})
	case WorkloadReplay:
		return gen.Replay(s.lines, s.cfg.Events), nil
	}
	return nil, fmt.Errorf("bench: unknown workload %q", wl)
}

func newWorkloadResult(name string, evs []gen.Event) WorkloadResult {
	wr := WorkloadResult{Name: name, Events: len(evs)}
	for _, e := range evs {
		wr.Bytes += int64(len(e.Raw))
		if e.Planted.Kind != 0 {
			wr.Planted++
		}
	}
	return wr
}
