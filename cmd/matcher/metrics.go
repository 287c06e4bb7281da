package main

import (
	"time"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/metrics"
	"github.com/indicator-matcher/matcher/engine/pipeline"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// registerMetrics exposes the pipeline, snapshot, feed and enrichment
// figures. Everything is read at scrape time from counters the components
// keep anyway, so metrics cost nothing on the hot path.
func registerMetrics(reg *metrics.Registry, r *pipeline.Runner, eng *snapshot.Engine, e *enrich.Enricher, sync *syncStatus, st *store.Store, supp *alert.Suppressor) error {
	s := r.Stats()
	counter := func(name, help string, v func() uint64) metrics.Collector {
		return metrics.NewCounterFunc(name, help, func() float64 { return float64(v()) })
	}
	gauge := func(name, help string, v func() float64) metrics.Collector {
		return metrics.NewGaugeFunc(name, help, v)
	}
	snap := func() snapshot.Stats { return eng.Load().Stats() } // computed once per snapshot
	cs := []metrics.Collector{
		counter("matcher_events_in_total", "Events received.", s.EventsIn.Load),
		counter("matcher_events_matched_total", "Events that matched at least one malicious indicator.", s.EventsMatched.Load),
		counter("matcher_hits_total", "Indicator hits, before suppression.", s.Hits.Load),
		counter("matcher_candidates_total", "Candidate plans looked at.", s.Candidates.Load),
		counter("matcher_verify_errors_total", "Candidates whose verification failed on bad data.", s.VerifyErrors.Load),
		counter("matcher_alerts_out_total", "Alerts published.", s.AlertsOut.Load),
		counter("matcher_alert_summaries_total", "Suppression summaries published.", s.Summaries.Load),
		counter("matcher_alert_followups_total", "Enriched follow-up alerts published.", s.FollowUps.Load),
		counter("matcher_alerts_suppressed_total", "Repeats folded into an earlier alert.", s.Suppressed.Load),
		counter("matcher_alerts_rate_limited_total", "Alerts dropped by the per-indicator rate limit.", s.RateLimited.Load),
		counter("matcher_hits_allowlisted_total", "Malicious hits on values a benign indicator names.", s.Allowlisted.Load),
		counter("matcher_hits_benign_total", "Hits of benign (allow-list) indicators.", s.BenignHits.Load),
		counter("matcher_alert_build_errors_total", "Hits whose alert could not be built.", s.BuildErrors.Load),
		counter("matcher_publish_errors_total", "Failed publications of alerts and dead letters.", s.PublishErrors.Load),
		counter("matcher_nats_slow_consumer_total", "Slow-consumer errors reported by the NATS client.", s.SlowConsumer.Load),
		gauge("matcher_nats_backlog_messages", "Events taken from NATS and waiting for a worker (core mode).", func() float64 { m, _ := r.Backlog(); return float64(m) }),
		gauge("matcher_nats_backlog_bytes", "Bytes of the events waiting for a worker (core mode).", func() float64 { _, b := r.Backlog(); return float64(b) }),
		metrics.NewCollectorFunc("matcher_dead_letters", "Events sent to the dead-letter subject, by reason.", func() map[string]float64 {
			out := map[string]float64{}
			for reason, n := range s.DeadLetters() {
				out[`matcher_dead_letters_total{reason="`+reason+`"}`] = float64(n)
			}
			return out
		}),
		gauge("matcher_snapshot_generation", "Generation of the published snapshot.", func() float64 { return float64(snap().Generation) }),
		gauge("matcher_snapshot_indicators", "Live indicators in the snapshot.", func() float64 { return float64(snap().Indicators) }),
		gauge("matcher_snapshot_verify_always", "Plans verified on every event.", func() float64 { return float64(snap().VerifyAlways) }),
		gauge("matcher_snapshot_delta_indicators", "Indicators in the delta segment.", func() float64 { return float64(snap().DeltaSize) }),
		gauge("matcher_snapshot_bytes", "Estimated heap held by the snapshot.", func() float64 { return float64(snap().SizeBytes) }),
		gauge("matcher_snapshot_age_seconds", "Age of the published snapshot.", func() float64 { return time.Since(snap().Built).Seconds() }),
		gauge("matcher_snapshot_diagnostics", "Indicators rejected or partly usable.", func() float64 { return float64(snap().Diagnostics) }),
		gauge("matcher_suppression_pairs", "Indicator/value pairs in a suppression window.", func() float64 { return float64(supp.Pairs()) }),
		gauge("matcher_feed_sync_running", "1 once the feed sync stored a page.", func() float64 {
			if _, _, running, _ := sync.get(); running {
				return 1
			}
			return 0
		}),
		gauge("matcher_feed_sync_last_page_age_seconds", "Time since the feed sync stored its last page.", func() float64 {
			_, last, running, _ := sync.get()
			if !running {
				return -1
			}
			return time.Since(last).Seconds()
		}),
		gauge("matcher_feed_sync_caught_up", "1 when the feed sync is caught up.", func() float64 {
			if p, _, _, _ := sync.get(); p.CaughtUp {
				return 1
			}
			return 0
		}),
		counter("matcher_feed_sync_objects_total", "Feed objects received by this process.", func() uint64 { p, _, _, _ := sync.get(); return uint64(p.Objects) }),
		counter("matcher_feed_sync_errors_total", "Failed feed pulls survived.", func() uint64 { p, _, _, _ := sync.get(); return uint64(p.Errors) }),
		s.Latency,
		s.Lag,
	}
	if st != nil {
		cs = append(cs, gauge("matcher_store_indicators", "Indicators stored.", func() float64 {
			c, err := st.Counts()
			if err != nil {
				return -1
			}
			return float64(c.Indicators)
		}))
	}
	if e != nil {
		cs = append(cs, metrics.NewCollectorFunc("enrich", "Enrichment counters.", func() map[string]float64 { return e.Stats().Counters() }))
	}
	return reg.Register(cs...)
}
