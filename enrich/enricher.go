package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"golang.org/x/sync/singleflight"
)

// Client is what an Enricher needs of the Intelligence Center API.
// *intel.Client satisfies it; pass the one the feed sync uses so that both
// share its rate limiter.
type Client interface {
	Context(ctx context.Context, id string) (*intel.Bundle, error)
	Object(ctx context.Context, id string) (json.RawMessage, error)
	Relationship(ctx context.Context, id string) (json.RawMessage, error)
}

// Enricher fetches, caches and digests indicator context. Make it with New
// and stop it with Close. All methods are safe for concurrent use; a nil
// *Enricher is valid and reports enrichment as disabled.
type Enricher struct {
	client   Client
	opts     Options
	digests  *ttlCache[Digest]
	failures *ttlCache[error]
	objects  *ttlCache[json.RawMessage]
	breaker  *breaker
	flights  singleflight.Group
	distinct *distinctSet
	c        counters

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex // guards inflight and closed
	inflight  map[string]*Pending
	closed    bool
	waiting   atomic.Int64 // alerts registered for a follow-up
	queue     chan *Pending
	followUps chan FollowUp
}

// New makes an Enricher over client and starts its workers.
func New(client Client, opts Options) (*Enricher, error) {
	if client == nil {
		return nil, fmt.Errorf("enrich: New: nil client")
	}
	opts.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	e := &Enricher{
		client:   client,
		opts:     opts,
		digests:  newTTLCache[Digest](opts.MaxEntries, opts.Now),
		failures: newTTLCache[error](opts.MaxNegative, opts.Now),
		objects:  newTTLCache[json.RawMessage](opts.MaxObjects, opts.Now),
		breaker:  newBreaker(opts.BreakerThreshold, opts.BreakerCooldown, opts.BreakerMaxCooldown, opts.Now),
		distinct: newDistinctSet(opts.MaxTracked),
		ctx:      ctx,
		cancel:   cancel,
		inflight: map[string]*Pending{},
		queue:    make(chan *Pending, opts.QueueSize),
	}
	if opts.FollowUp {
		e.followUps = make(chan FollowUp, opts.FollowUpQueue)
	}
	for i := 0; i < opts.Workers; i++ {
		e.wg.Add(1)
		go e.worker()
	}
	return e, nil
}

// Close stops the workers, fails the queued requests with ErrClosed and
// closes FollowUps. Fetches in flight are canceled. Close is idempotent.
func (e *Enricher) Close() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	for drained := false; !drained; {
		select {
		case p := <-e.queue:
			e.complete(p, Digest{}, ErrClosed)
		default:
			drained = true
		}
	}
	if e.followUps != nil {
		close(e.followUps)
	}
	return nil
}

// Lookup returns the digest of indicatorID, from the cache or from the
// API; concurrent look-ups of one id share one fetch. It blocks until the
// fetch ends or ctx is done (the fetch then goes on for the others).
func (e *Enricher) Lookup(ctx context.Context, indicatorID string) (Digest, error) {
	if e == nil {
		return Digest{}, ErrDisabled
	}
	if !validID(indicatorID) {
		return Digest{}, fmt.Errorf("enrich: bad indicator id %.80q", indicatorID)
	}
	e.hit(indicatorID)
	if d, ok := e.digests.get(indicatorID); ok {
		e.c.cacheHits.Add(1)
		return d, nil
	}
	if err, ok := e.failures.get(indicatorID); ok {
		e.c.negativeHits.Add(1)
		return Digest{}, err
	}
	e.c.cacheMisses.Add(1)
	return e.load(ctx, indicatorID)
}

// Forget drops the cached digest and cached failure of indicatorID, so
// that its next hit fetches the context again: call it when the feed sync
// reports the indicator changed or revoked. A fetch in flight is not
// affected.
func (e *Enricher) Forget(indicatorID string) {
	if e == nil {
		return
	}
	e.digests.remove(indicatorID)
	e.failures.remove(indicatorID)
}

// FromBundle digests a bundle got elsewhere (indicators/context answers
// one per matching indicator), resolving missing objects through the
// Enricher's object cache. rootID "" takes the bundle's first indicator.
func (e *Enricher) FromBundle(ctx context.Context, b *intel.Bundle, rootID string) (Digest, error) {
	if e == nil {
		return Digest{}, ErrDisabled
	}
	return Build(ctx, b, rootID, ResolverFunc(e.resolve), e.buildOptions())
}

func (e *Enricher) buildOptions() BuildOptions {
	return BuildOptions{MaxFetches: e.opts.MaxFetches, FullBundle: e.opts.FullBundle, FetchedAt: e.opts.Now().UTC()}
}

func (e *Enricher) hit(id string) {
	e.c.hits.Add(1)
	e.distinct.add(id)
}

// load runs (or joins) the fetch of id and waits for it or for ctx.
func (e *Enricher) load(ctx context.Context, id string) (Digest, error) {
	ran := false
	ch := e.flights.DoChan("c\x00"+id, func() (any, error) {
		ran = true
		return e.fetch(id)
	})
	select {
	case r := <-ch:
		if !ran {
			e.c.shares.Add(1)
		}
		if r.Err != nil {
			return Digest{}, r.Err
		}
		return r.Val.(Digest), nil
	case <-ctx.Done():
		return Digest{}, fmt.Errorf("enrich: %s: %w", id, ctx.Err())
	}
}

// fetch gets and digests the context of id. It runs once per flight, on
// the Enricher's context (not a caller's), and caches its outcome.
func (e *Enricher) fetch(id string) (Digest, error) {
	if d, ok := e.digests.get(id); ok { // filled while this flight was queued
		return d, nil
	}
	b, err := call(e, id, func(ctx context.Context) (*intel.Bundle, error) {
		e.c.contextCalls.Add(1)
		return e.client.Context(ctx, id)
	})
	var d Digest
	if err == nil {
		d, err = Build(e.ctx, b, id, ResolverFunc(e.resolve), e.buildOptions())
	}
	if errors.Is(err, ErrNoIndicator) {
		e.c.fail(err) // API failures were counted by call
	}
	if err != nil {
		if Reason(err) != ReasonBreakerOpen && e.ctx.Err() == nil {
			e.failures.add(id, err, e.opts.NegativeTTL)
		}
		return Digest{}, err
	}
	e.digests.add(id, d, e.opts.TTL)
	e.failures.remove(id)
	return d, nil
}

// resolve fetches a referenced object through the object cache, a shared
// flight and the breaker. Not-found answers are cached like objects.
func (e *Enricher) resolve(ctx context.Context, id string) (json.RawMessage, error) {
	if raw, ok := e.objects.get(id); ok {
		e.c.objectCacheHits.Add(1)
		if raw == nil {
			return nil, fmt.Errorf("enrich: object %s: %w (cached)", id, intel.ErrNotFound)
		}
		return raw, nil
	}
	ch := e.flights.DoChan("o\x00"+id, func() (any, error) {
		raw, err := call(e, id, func(ctx context.Context) (json.RawMessage, error) {
			if idType(id) == "relationship" {
				e.c.relationshipCalls.Add(1)
				return e.client.Relationship(ctx, id)
			}
			e.c.objectCalls.Add(1)
			return e.client.Object(ctx, id)
		})
		switch Reason(err) {
		case "":
			e.objects.add(id, raw, e.opts.TTL)
		case ReasonNotFound:
			e.objects.add(id, nil, e.opts.NegativeTTL)
		}
		return raw, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(json.RawMessage), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// call sends one API call through the breaker with the call timeout.
func call[T any](e *Enricher, id string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	ok, probe := e.breaker.allow()
	if !ok {
		err := fmt.Errorf("%w (%s)", ErrBreakerOpen, id)
		e.c.fail(err)
		return zero, err
	}
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.CallTimeout)
	defer cancel()
	v, err := fn(ctx)
	outcome := breakerOutcome(err)
	if e.ctx.Err() != nil {
		outcome = 0
	}
	if state := e.breaker.done(probe, outcome); state != "" {
		e.opts.Logger.Warn("enrich: circuit breaker "+state, "reason", Reason(err))
	}
	if err != nil {
		err = fmt.Errorf("enrich: %s: %w", id, err)
		e.c.fail(err)
		return zero, err
	}
	return v, nil
}

// Stats returns a snapshot of the counters.
func (e *Enricher) Stats() Stats {
	if e == nil {
		return Stats{Failures: map[string]int64{}, BreakerState: BreakerClosed}
	}
	n, sat := e.distinct.count()
	state, opens := e.breaker.snapshot()
	s := Stats{
		Hits: e.c.hits.Load(), Distinct: int64(n), DistinctSaturated: sat,
		CacheHits: e.c.cacheHits.Load(), CacheMisses: e.c.cacheMisses.Load(), NegativeHits: e.c.negativeHits.Load(),
		ContextCalls: e.c.contextCalls.Load(), ObjectCalls: e.c.objectCalls.Load(), RelationshipCalls: e.c.relationshipCalls.Load(),
		ObjectCacheHits: e.c.objectCacheHits.Load(), Shares: e.c.shares.Load(),
		Enriched: e.c.enriched.Load(), Pending: e.c.pending.Load(), Failed: e.c.failed.Load(), Disabled: e.c.disabled.Load(),
		Failures:     map[string]int64{},
		BreakerOpens: opens, BreakerState: state,
		QueueDrops: e.c.queueDrops.Load(), QueueLen: len(e.queue),
		FollowUps: e.c.followUps.Load(), FollowUpDrops: e.c.followUpDrops.Load(), FollowUpsLost: e.c.followUpsLost.Load(),
		CacheEntries: e.digests.len(), NegativeEntries: e.failures.len(), ObjectEntries: e.objects.len(),
	}
	for i, r := range reasons {
		if n := e.c.failures[i].Load(); n > 0 {
			s.Failures[r] = n
		}
	}
	return s
}
