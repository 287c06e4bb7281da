package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// endToEnd runs the matcher process over the indicator set, then, for
// each workload, the raw NATS ceiling, the saturated end-to-end run and
// the latency run at half the end-to-end rate.
func (s *sizeRun) endToEnd(ctx context.Context, size string, inds []snapshot.Indicator, events map[string][]gen.Event, wrs []WorkloadResult, last bool) (*MatcherResult, error) {
	file := filepath.Join(s.tmp, "indicators-"+size+".jsonl")
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	err = gen.WriteSTIX(f, inds)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	defer os.Remove(file)
	// Enough pending room in the matcher's subscription for every event
	// of a saturated run, so that none is dropped while it catches up.
	most := 0
	for i := range wrs {
		most = max(most, e2ePasses(&wrs[i], s.cfg.Duration)*wrs[i].Events)
	}
	s.prog.printf("%s: starting the matcher process", size)
	profile := s.cfg.Profile && last && s.cfg.OutDir != ""
	m, err := s.e2e.startMatcher(ctx, file, most+65536, profile)
	if err != nil {
		return nil, err
	}
	mr := &MatcherResult{Startup: m.startup, Compile: m.compile}
	s.prog.printf("%s: matcher ready after %s (its compile: %s)", size, m.startup.Round(time.Millisecond), m.compile)
	runErr := func() error {
		for i := range wrs {
			var profilePath string
			if profile {
				profilePath = filepath.Join(s.cfg.OutDir, fmt.Sprintf("cpu-matcher-e2e-%s-%s.pprof", size, wrs[i].Name))
			}
			if err := s.endToEndWorkload(ctx, size, m, &wrs[i], events[wrs[i].Name], profilePath); err != nil {
				return err
			}
		}
		return nil
	}()
	mr.LiveHeap = m.maxLive()
	mem, summary, err := m.stop()
	mr.Memory, mr.Summary = mem, summary
	if runErr != nil {
		return mr, runErr
	}
	return mr, err
}

// e2ePasses is how many times the saturated runs cycle through the
// events: enough to last about the in-process stage duration at the
// in-process match rate.
func e2ePasses(wr *WorkloadResult, d time.Duration) int {
	if wr.Match == nil || wr.Events == 0 {
		return 1
	}
	p := int(math.Ceil(wr.Match.EventsPerSec() * d.Seconds() / float64(wr.Events)))
	return min(max(p, 1), 50)
}

func (s *sizeRun) endToEndWorkload(ctx context.Context, size string, m *matcherProc, wr *WorkloadResult, evs []gen.Event, profilePath string) error {
	evFile := filepath.Join(s.tmp, "events-"+wr.Name+".txt")
	if err := WriteEventFile(evFile, evs); err != nil {
		return err
	}
	defer os.Remove(evFile)
	wr.E2EPasses = e2ePasses(wr, s.cfg.Duration)
	n := wr.E2EPasses * len(evs)
	s.prog.printf("%s %s: raw NATS ceiling, %d events", size, wr.Name, n)
	raw, err := s.e2e.rawNATS(ctx, evFile, n)
	if err != nil {
		return err
	}
	wr.RawNATS = &raw
	s.prog.printf("%s %s: raw NATS %.0f events/s", size, wr.Name, raw.EventsPerSec())
	s.prog.printf("%s %s: end to end, %d events", size, wr.Name, n)
	// A profile of the matcher process covers the first part of the
	// saturated run: its events last the in-process stage duration at the
	// in-process rate, so at least that long end to end.
	profileFor := max(s.cfg.Duration.Round(time.Second), time.Second)
	var profiled <-chan error
	if profilePath != "" {
		profiled = s.e2e.profileMatcher(ctx, m, profilePath, profileFor)
	}
	e2e, err := s.e2e.endToEnd(ctx, m, evFile, n, int64(wr.E2EPasses)*wr.AlertsPerPass)
	if err != nil {
		return err
	}
	if profiled != nil {
		top := ""
		if perr := <-profiled; perr != nil {
			top = "(no profile: " + perr.Error() + ")"
		} else {
			top = pprofTop(ctx, profilePath, 30)
		}
		s.profiles = append(s.profiles, ProfileTop{Stage: fmt.Sprintf("matcher process, end to end, %s indicators, %s (first %s of the run)", size, wr.Name, profileFor),
			File: filepath.Base(profilePath), Top: top})
	}
	wr.E2E = &e2e
	s.prog.printf("%s %s: end to end %.0f events/s, %d/%d alerts", size, wr.Name, e2e.EventsPerSec(), e2e.AlertsReceived, e2e.AlertsExpected)
	for _, load := range s.cfg.LatencyLoads {
		rate := e2e.EventsPerSec() * load
		count := max(int(rate*s.cfg.LatencyDuration.Seconds()), 1)
		s.prog.printf("%s %s: latency at %.0f events/s (%.0f%% of the end-to-end rate) for %s", size, wr.Name, rate, 100*load, s.cfg.LatencyDuration)
		lat, err := s.e2e.latency(ctx, m, evFile, rate, count)
		if err != nil {
			return err
		}
		lat.Load = load
		wr.Latencies = append(wr.Latencies, lat)
		s.prog.printf("%s %s: p50 %s, p99 %s over %d alerts", size, wr.Name, fmtDur(lat.P50), fmtDur(lat.P99), lat.Samples)
	}
	return nil
}

func sortDurations(d []time.Duration) { slices.Sort(d) }
