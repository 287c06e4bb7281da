package enrich

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Status is the enrichment status an alert is published with.
type Status string

// The statuses.
const (
	// StatusEnriched: the digest is there.
	StatusEnriched Status = "enriched"
	// StatusPending: the context was not there within the budget; the
	// fetch goes on (and, with Options.FollowUp, a follow-up comes).
	StatusPending Status = "pending"
	// StatusFailed: the fetch failed, or was refused (breaker open,
	// queue full); Result.Err says why.
	StatusFailed Status = "failed"
	// StatusDisabled: enrichment is not configured (nil *Enricher).
	StatusDisabled Status = "disabled"
)

// Result is the outcome of an enrichment request.
type Result struct {
	IndicatorID string
	Status      Status
	// Digest is set when Status is StatusEnriched; it is shared and
	// read-only.
	Digest Digest
	// Err is set when Status is StatusFailed; Reason(Err) names the cause.
	Err error
}

// FollowUp is the late digest of an alert that Await published as
// pending: AlertID is the id given to Await, Result is enriched.
type FollowUp struct {
	AlertID string
	Result
}

// Pending is one fetch in progress, shared by every hit on its indicator
// while it runs. Its methods are safe for concurrent use.
type Pending struct {
	id   string
	done chan struct{}

	mu      sync.Mutex
	res     Result // valid once done is closed
	over    bool
	waiting []string // alert ids that want a follow-up
}

func newPending(id string) *Pending {
	return &Pending{id: id, done: make(chan struct{}), res: Result{IndicatorID: id, Status: StatusPending}}
}

// Done is closed when the result is there.
func (p *Pending) Done() <-chan struct{} { return p.done }

// Result returns the result, or StatusPending while the fetch runs. It
// never blocks.
func (p *Pending) Result() Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.res
}

// Wait waits for the result at most budget (not at all when budget <= 0)
// or until ctx is done, and returns what is there then.
func (p *Pending) Wait(ctx context.Context, budget time.Duration) Result {
	if budget > 0 {
		t := time.NewTimer(budget)
		defer t.Stop()
		select {
		case <-p.done:
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return p.Result()
}

// Request starts fetching the context of indicatorID unless it is cached
// or already being fetched, and returns at once. The fetch runs on the
// worker pool; when the queue is full the request fails with ErrQueueFull,
// and while the breaker is open with ErrBreakerOpen, without any call.
func (e *Enricher) Request(indicatorID string) *Pending {
	if r, ok := e.quick(indicatorID); ok {
		p := newPending(indicatorID)
		p.finish(r)
		return p
	}
	return e.enqueue(indicatorID)
}

// quick answers a hit without a fetch when it can: disabled, bad id,
// cached digest or cached failure. It counts the hit.
func (e *Enricher) quick(id string) (Result, bool) {
	if e == nil {
		return Result{IndicatorID: id, Status: StatusDisabled, Err: ErrDisabled}, true
	}
	if !validID(id) {
		return Result{IndicatorID: id, Status: StatusFailed, Err: fmt.Errorf("enrich: bad indicator id %.80q", id)}, true
	}
	e.hit(id)
	if d, ok := e.digests.get(id); ok {
		e.c.cacheHits.Add(1)
		return Result{IndicatorID: id, Status: StatusEnriched, Digest: d}, true
	}
	if err, ok := e.failures.get(id); ok {
		e.c.negativeHits.Add(1)
		return Result{IndicatorID: id, Status: StatusFailed, Err: err}, true
	}
	e.c.cacheMisses.Add(1)
	return Result{}, false
}

// enqueue joins the fetch of id in flight or queues a new one.
func (e *Enricher) enqueue(id string) *Pending {
	fail := func(err error) *Pending {
		e.c.fail(err)
		p := newPending(id)
		p.finish(Result{IndicatorID: id, Status: StatusFailed, Err: err})
		return p
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.inflight[id]; p != nil {
		e.c.shares.Add(1)
		return p
	}
	switch {
	case e.closed:
		return fail(ErrClosed)
	case e.breaker.refusing():
		return fail(fmt.Errorf("%w (%s)", ErrBreakerOpen, id))
	}
	p := newPending(id)
	select {
	case e.queue <- p:
		e.inflight[id] = p
		return p
	default:
		e.c.queueDrops.Add(1)
		return fail(fmt.Errorf("%w (%d queued)", ErrQueueFull, cap(e.queue)))
	}
}

// Await is the hot-path call: it requests the context of indicatorID and
// waits for it at most budget (0: Options.Budget; negative: not at all).
// It returns StatusEnriched, StatusFailed, StatusPending past the budget,
// or StatusDisabled on a nil *Enricher. With Options.FollowUp and a
// non-empty alertID, a pending result is followed by a FollowUp event on
// FollowUps once the digest arrives (none if the late fetch fails).
func (e *Enricher) Await(ctx context.Context, indicatorID, alertID string, budget time.Duration) Result {
	if e == nil {
		return Result{IndicatorID: indicatorID, Status: StatusDisabled, Err: ErrDisabled}
	}
	if budget == 0 {
		budget = e.opts.Budget
	}
	r, ok := e.quick(indicatorID)
	if !ok {
		p := e.enqueue(indicatorID)
		r = p.Wait(ctx, budget)
		if r.Status == StatusPending && e.followUps != nil && alertID != "" {
			r = e.follow(p, alertID)
		}
	}
	switch r.Status {
	case StatusEnriched:
		e.c.enriched.Add(1)
	case StatusFailed:
		e.c.failed.Add(1)
	case StatusPending:
		e.c.pending.Add(1)
	}
	return r
}

// FollowUps delivers follow-up digests when Options.FollowUp is set (nil
// otherwise). Close closes it. Read it promptly: when it is full, events
// are dropped and counted.
func (e *Enricher) FollowUps() <-chan FollowUp {
	if e == nil {
		return nil
	}
	return e.followUps
}

// follow registers alertID for a follow-up, unless the result arrived in
// the meantime (it is then returned instead).
func (e *Enricher) follow(p *Pending, alertID string) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.over {
		return p.res
	}
	if e.waiting.Add(1) > int64(e.opts.MaxWaiting) {
		e.waiting.Add(-1)
		e.c.followUpDrops.Add(1)
		return p.res
	}
	p.waiting = append(p.waiting, alertID)
	return p.res
}

// finish sets the result and wakes the waiters; it returns the alert ids
// waiting for a follow-up.
func (p *Pending) finish(r Result) []string {
	p.mu.Lock()
	if p.over {
		p.mu.Unlock()
		return nil
	}
	p.res, p.over = r, true
	w := p.waiting
	p.waiting = nil
	p.mu.Unlock()
	close(p.done)
	return w
}

func (e *Enricher) worker() {
	defer e.wg.Done()
	for {
		select {
		case <-e.ctx.Done():
			return
		case p := <-e.queue:
			if e.ctx.Err() != nil {
				e.complete(p, Digest{}, ErrClosed)
				continue
			}
			d, err := e.load(e.ctx, p.id)
			e.complete(p, d, err)
		}
	}
}

// complete ends p: it leaves the in-flight table, its waiters wake, and
// the alerts waiting for a follow-up get one if the digest is there.
func (e *Enricher) complete(p *Pending, d Digest, err error) {
	e.mu.Lock()
	if e.inflight[p.id] == p {
		delete(e.inflight, p.id)
	}
	e.mu.Unlock()
	r := Result{IndicatorID: p.id, Status: StatusEnriched, Digest: d}
	if err != nil {
		r = Result{IndicatorID: p.id, Status: StatusFailed, Err: err}
	}
	waiting := p.finish(r)
	if len(waiting) == 0 {
		return
	}
	e.waiting.Add(-int64(len(waiting)))
	if err != nil {
		e.c.followUpsLost.Add(int64(len(waiting)))
		return
	}
	for _, a := range waiting {
		select {
		case e.followUps <- FollowUp{AlertID: a, Result: r}:
			e.c.followUps.Add(1)
		default:
			e.c.followUpDrops.Add(1)
		}
	}
}
