package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/pipeline"
	"github.com/indicator-matcher/matcher/engine/plan"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

var stageTitle = map[string]string{
	StageParse: "parse-only ceiling", StageMatch: "match path", StageNaive: "naive baseline",
	StageE2E: "end to end", StageUpdate: "update",
	"match-only": "matching without alerts", "observation": "extraction and STIX observation",
	"no-verify-always": "match path without verify-always indicators",
}

// profiled are the stages --profile profiles: those the targets compare.
var profiled = map[string]bool{StageParse: true, StageMatch: true, "no-verify-always": true}

// stage runs one timed in-process stage and reports it.
func (s *sizeRun) stage(ctx context.Context, stage, size, wl string, evs []gen.Event, maxDur time.Duration, last bool, h func() handler) (*Throughput, error) {
	o := runOptions{workers: s.cfg.Workers, min: s.cfg.Duration, max: maxDur, label: fmt.Sprintf("%s %s %s", size, wl, stage)}
	if s.cfg.Profile && last && s.cfg.OutDir != "" && profiled[stage] {
		o.profile = filepath.Join(s.cfg.OutDir, fmt.Sprintf("cpu-%s-%s-%s.pprof", stage, size, wl))
	}
	s.prog.printf("%s: %s", o.label, stageTitle[stage])
	t, err := runStage(ctx, evs, o, s.prog, h)
	if err != nil {
		return nil, err
	}
	s.prog.printf("%s: %.0f events/s, %.1f MB/s", o.label, t.EventsPerSec(), t.MBPerSec())
	if o.profile != "" {
		s.profiles = append(s.profiles, ProfileTop{Stage: fmt.Sprintf("%s, %s indicators, %s", stageTitle[stage], size, wl),
			File: filepath.Base(o.profile), Top: pprofTop(ctx, o.profile, 22)})
	}
	return &t, nil
}

// matchStages runs the parse-only ceiling, the match path and its
// breakdown on one workload.
func (s *sizeRun) matchStages(ctx context.Context, size string, wr *WorkloadResult, evs []gen.Event, procCfg pipeline.ProcessorConfig, eng *snapshot.Engine, last bool) error {
	cfg := s.cfg
	var err error
	long := 10 * cfg.Duration
	if cfg.has(StageParse) {
		if wr.Parse, err = s.stage(ctx, StageParse, size, wr.Name, evs, long, last, parseHandler(s.x)); err != nil {
			return err
		}
	}
	if cfg.has(StageMatch) || cfg.has(StageE2E) {
		s.prog.printf("%s %s: counting the alerts of one pass", size, wr.Name)
		wr.AlertsPerPass, wr.BadEvents = onePass(evs, matchHandler(procCfg)())
		wr.Candidates, wr.Verifications = matchCounters(s.x, eng.Load(), evs)
	}
	if cfg.has(StageMatch) {
		if wr.Match, err = s.stage(ctx, StageMatch, size, wr.Name, evs, long, last, matchHandler(procCfg)); err != nil {
			return err
		}
	}
	if cfg.has(StageBreakdown) {
		if wr.MatchOnly, err = s.stage(ctx, "match-only", size, wr.Name, evs, long, last, matchOnlyHandler(s.x, eng)); err != nil {
			return err
		}
		if wr.Observation, err = s.stage(ctx, "observation", size, wr.Name, evs, long, last, observationHandler(s.x)); err != nil {
			return err
		}
	}
	return nil
}

// withoutVerifyAlways runs the match path on the set without the
// indicators whose plans are verified on every event, to show what they
// cost.
func (s *sizeRun) withoutVerifyAlways(ctx context.Context, size string, inds []snapshot.Indicator, events map[string][]gen.Event, res *SizeResult, last bool) error {
	s.prog.printf("%s: compiling the set without its verify-always indicators", size)
	kept := keepIndexed(inds)
	res.VerifyAlwaysLeftOut = len(inds) - len(kept)
	eng, _, err := snapshot.NewEngine(snapshot.Options{}, sliceSource(kept))
	if err != nil {
		return err
	}
	defer eng.Close()
	procCfg := processorConfig(s, kept, eng)
	for i := range res.Workloads {
		wr := &res.Workloads[i]
		if wr.NoVerifyAlways, err = s.stage(ctx, "no-verify-always", size, wr.Name, events[wr.Name], 10*s.cfg.Duration, last, matchHandler(procCfg)); err != nil {
			return err
		}
	}
	return nil
}

// keepIndexed returns the indicators whose plan is not verify-always,
// compiling the patterns on every CPU.
func keepIndexed(inds []snapshot.Indicator) []snapshot.Indicator {
	workers := runtime.GOMAXPROCS(0)
	always := make([]bool, len(inds))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(inds); i += workers {
				pl, err := plan.Compile(inds[i].Pattern, inds[i].PatternType, plan.Options{})
				always[i] = err == nil && pl.VerifyAlways
			}
		}()
	}
	wg.Wait()
	kept := make([]snapshot.Indicator, 0, len(inds))
	for i, ind := range inds {
		if !always[i] {
			kept = append(kept, ind)
		}
	}
	return kept
}

// matchCounters runs snapshot matching over the events once and returns
// the candidates and verifications per event.
func matchCounters(x *extract.Extractor, snap *snapshot.Snapshot, evs []gen.Event) (cands, verifs float64) {
	var ev extract.Event
	var sc snapshot.Scratch
	for i := range evs {
		if x.Extract(evs[i].Raw, time.Now(), &ev) == nil {
			snap.Match(&ev, snapshot.MatchOptions{}, &sc)
		}
	}
	n := float64(max(len(evs), 1))
	return float64(sc.Counters.Candidates) / n, float64(sc.Counters.Verifications) / n
}

// matchOnlyHandler is extraction and snapshot matching, without alert
// building: the match path less the alerts.
func matchOnlyHandler(x *extract.Extractor, l pipeline.Loader) func() handler {
	return func() handler {
		var ev extract.Event
		var sc snapshot.Scratch
		return func(e *gen.Event) (int, error) {
			if err := x.Extract(e.Raw, time.Now(), &ev); err != nil {
				return 0, err
			}
			return len(l.Load().Match(&ev, snapshot.MatchOptions{}, &sc)), nil
		}
	}
}

// observationHandler is extraction plus the STIX observation that
// verification evaluates patterns against: what every event pays when a
// verify-always plan exists.
func observationHandler(x *extract.Extractor) func() handler {
	return func() handler {
		var ev extract.Event
		return func(e *gen.Event) (int, error) {
			if err := x.Extract(e.Raw, time.Now(), &ev); err != nil {
				return 0, err
			}
			return len(ev.Observation().Objects), nil
		}
	}
}

// updateLatency applies rounds of changed indicators (a later modified
// time on existing ids, spread over the set) to the engine and times each
// Apply, which returns once the new snapshot is what Load gives.
func updateLatency(eng *snapshot.Engine, inds []snapshot.Indicator, rounds, per int) (UpdateResult, error) {
	per = min(per, len(inds))
	var took []time.Duration
	changes := make([]snapshot.Change, per)
	for r := 1; r <= rounds; r++ {
		for i := range changes {
			ind := inds[(r*per+i*7919)%len(inds)]
			ind.Modified = ind.Modified.Add(time.Duration(r) * time.Second)
			changes[i] = snapshot.Change{Indicator: ind}
		}
		gen0 := eng.Load().Generation()
		t0 := time.Now()
		if _, err := eng.Apply(changes); err != nil {
			return UpdateResult{}, err
		}
		for eng.Load().Generation() == gen0 {
			runtime.Gosched()
		}
		took = append(took, time.Since(t0))
	}
	sortDurations(took)
	return UpdateResult{Rounds: rounds, Changes: per, P50: took[len(took)/2], Max: took[len(took)-1], DeltaAfter: eng.Load().Stats().DeltaSize}, nil
}

// UpdateResult is the update latency: changes applied to the running
// engine until a snapshot holding them is visible through Load.
type UpdateResult struct {
	Rounds, Changes int
	P50, Max        time.Duration
	DeltaAfter      int // indicators in the delta segment after the rounds
}
