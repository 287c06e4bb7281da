package enrich

import "sync/atomic"

// counters are the Enricher's metrics.
type counters struct {
	hits, cacheHits, cacheMisses, negativeHits          atomic.Int64
	contextCalls, objectCalls, relationshipCalls        atomic.Int64
	objectCacheHits, shares                             atomic.Int64
	enriched, pending, failed, disabled                 atomic.Int64
	queueDrops, followUps, followUpDrops, followUpsLost atomic.Int64
	failures                                            [len(reasons)]atomic.Int64
}

var reasonIndex = func() map[string]int {
	m := make(map[string]int, len(reasons))
	for i, r := range reasons {
		m[r] = i
	}
	return m
}()

func (c *counters) fail(err error) {
	if i, ok := reasonIndex[Reason(err)]; ok {
		c.failures[i].Add(1)
	}
}

// Stats is a snapshot of an Enricher's counters. Every field counts since
// New; none is reset.
type Stats struct {
	// Hits counts Lookup, Request and Await calls; Distinct the distinct
	// indicator ids among them (exact, by a 64-bit hash, up to
	// Options.MaxTracked ids; DistinctSaturated is set past that).
	Hits, Distinct    int64
	DistinctSaturated bool
	// CacheHits and CacheMisses count digest cache look-ups of hits;
	// NegativeHits the hits answered by a cached failure.
	CacheHits, CacheMisses, NegativeHits int64
	// ContextCalls, ObjectCalls and RelationshipCalls count the calls to
	// the API client (each may be several HTTP attempts: see the client's
	// own Stats for retries).
	ContextCalls, ObjectCalls, RelationshipCalls int64
	// ObjectCacheHits counts referenced objects served by the object cache.
	ObjectCacheHits int64
	// Shares counts hits that joined a fetch already in flight.
	Shares int64
	// Enriched, Pending, Failed and Disabled count Await outcomes.
	Enriched, Pending, Failed, Disabled int64
	// Failures counts failed fetches and refused hits by reason (the
	// Reason* constants).
	Failures map[string]int64
	// BreakerOpens counts the times the circuit breaker opened;
	// BreakerState is its state now.
	BreakerOpens int64
	BreakerState string
	// QueueDrops counts hits dropped because the fetch queue was full;
	// QueueLen is the queue's length now.
	QueueDrops int64
	QueueLen   int
	// FollowUps counts follow-up events delivered; FollowUpDrops those
	// dropped (channel full, or too many alerts waiting); FollowUpsLost
	// the alerts left pending whose late fetch failed (no event).
	FollowUps, FollowUpDrops, FollowUpsLost int64
	// CacheEntries, NegativeEntries and ObjectEntries are the cache sizes.
	CacheEntries, NegativeEntries, ObjectEntries int
}

// ContextCallsPerDistinct is context calls per distinct indicator: at most
// 1 while every indicator was first hit less than a TTL ago and the cache
// holds the working set.
func (s Stats) ContextCallsPerDistinct() float64 {
	if s.Distinct == 0 {
		return 0
	}
	return float64(s.ContextCalls) / float64(s.Distinct)
}

// APICallsPerHit is all API calls (context, objects, relationships) per hit.
func (s Stats) APICallsPerHit() float64 {
	if s.Hits == 0 {
		return 0
	}
	return float64(s.ContextCalls+s.ObjectCalls+s.RelationshipCalls) / float64(s.Hits)
}

// Counters returns the counters under Prometheus-style names (see
// docs/enrichment.md); failures are "enrich_failures_total{reason=…}".
func (s Stats) Counters() map[string]float64 {
	m := map[string]float64{
		"enrich_hits_total":                       float64(s.Hits),
		"enrich_distinct_indicators":              float64(s.Distinct),
		"enrich_cache_hits_total":                 float64(s.CacheHits),
		"enrich_cache_misses_total":               float64(s.CacheMisses),
		"enrich_negative_cache_hits_total":        float64(s.NegativeHits),
		"enrich_context_calls_total":              float64(s.ContextCalls),
		"enrich_object_calls_total":               float64(s.ObjectCalls),
		"enrich_relationship_calls_total":         float64(s.RelationshipCalls),
		"enrich_object_cache_hits_total":          float64(s.ObjectCacheHits),
		"enrich_singleflight_shares_total":        float64(s.Shares),
		`enrich_results_total{status="enriched"}`: float64(s.Enriched),
		`enrich_results_total{status="pending"}`:  float64(s.Pending),
		`enrich_results_total{status="failed"}`:   float64(s.Failed),
		`enrich_results_total{status="disabled"}`: float64(s.Disabled),
		"enrich_breaker_opens_total":              float64(s.BreakerOpens),
		"enrich_queue_drops_total":                float64(s.QueueDrops),
		"enrich_queue_length":                     float64(s.QueueLen),
		"enrich_followups_total":                  float64(s.FollowUps),
		"enrich_followup_drops_total":             float64(s.FollowUpDrops),
		"enrich_followups_lost_total":             float64(s.FollowUpsLost),
		"enrich_cache_entries":                    float64(s.CacheEntries),
		"enrich_negative_cache_entries":           float64(s.NegativeEntries),
		"enrich_object_cache_entries":             float64(s.ObjectEntries),
		"enrich_context_calls_per_distinct":       s.ContextCallsPerDistinct(),
		"enrich_api_calls_per_hit":                s.APICallsPerHit(),
	}
	for _, st := range []string{BreakerClosed, BreakerOpen, BreakerHalfOpen} {
		v := 0.0
		if s.BreakerState == st {
			v = 1
		}
		m[`enrich_breaker_state{state="`+st+`"}`] = v
	}
	for r, n := range s.Failures {
		m[`enrich_failures_total{reason="`+r+`"}`] = float64(n)
	}
	return m
}
