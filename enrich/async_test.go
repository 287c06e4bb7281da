package enrich

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

// Past the budget an alert goes out pending; the digest then arrives as a
// follow-up for every alert left pending, and later hits are enriched at
// once.
func TestAwaitPendingThenFollowUp(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{Faults: intelserver.FaultPlan{
		Rules:     []intelserver.FaultRule{{Kind: intelserver.FaultSlow, Every: 1, Endpoints: []string{"object-context"}}},
		SlowDelay: time.Second,
	}}, nil, intel.Config{})
	e := newEnricher(t, s.client, Options{FollowUp: true})
	id := s.srv.IndicatorIDs()[11]
	for _, a := range []string{"alert-1", "alert-2"} {
		if r := e.Await(context.Background(), id, a, 20*time.Millisecond); r.Status != StatusPending || r.IndicatorID != id {
			t.Fatalf("%s: %+v", a, r)
		}
	}
	// No alert id: pending, no follow-up.
	if r := e.Await(context.Background(), id, "", 20*time.Millisecond); r.Status != StatusPending {
		t.Fatalf("%+v", r)
	}
	var got []string
	for len(got) < 2 {
		select {
		case f := <-e.FollowUps():
			if f.Status != StatusEnriched || f.Digest.Indicator.STIXID != id || f.IndicatorID != id {
				t.Fatalf("follow-up %+v", f)
			}
			got = append(got, f.AlertID)
		case <-time.After(5 * time.Second):
			t.Fatalf("follow-ups: got %v", got)
		}
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[alert-1 alert-2]" {
		t.Fatalf("follow-ups for %v", got)
	}
	if r := e.Await(context.Background(), id, "alert-4", 20*time.Millisecond); r.Status != StatusEnriched {
		t.Fatalf("after the fetch: %+v", r)
	}
	select {
	case f := <-e.FollowUps():
		t.Fatalf("unexpected follow-up %+v", f)
	default:
	}
	st := e.Stats()
	if st.Pending != 3 || st.Enriched != 1 || st.FollowUps != 2 || st.ContextCalls != 1 || s.srv.Counts()["object-context"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// blocking is a fake client whose context calls wait for release (or
// their context) and then fail or answer.
type blocking struct {
	entered chan string
	release chan struct{}
	err     error
	b       *intel.Bundle
}

func newBlocking(b *intel.Bundle, err error) *blocking {
	return &blocking{entered: make(chan string, 100), release: make(chan struct{}), err: err, b: b}
}

func (f *blocking) client() *fakeClient {
	return &fakeClient{context: func(ctx context.Context, id string) (*intel.Bundle, error) {
		f.entered <- id
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		return f.b, nil
	}}
}

// A late failure produces no follow-up; the alert stays pending (counted).
func TestFollowUpLostOnFailure(t *testing.T) {
	f := newBlocking(nil, &intel.StatusError{Status: 503})
	e := newEnricher(t, f.client(), Options{FollowUp: true})
	if r := e.Await(context.Background(), "indicator--a", "alert-1", 10*time.Millisecond); r.Status != StatusPending {
		t.Fatalf("%+v", r)
	}
	close(f.release)
	waitFor(t, "the fetch to fail", func() bool { return e.Stats().FollowUpsLost == 1 })
	select {
	case fu := <-e.FollowUps():
		t.Fatalf("follow-up after a failure: %+v", fu)
	default:
	}
	if st := e.Stats(); st.Failures[ReasonServerError] != 1 || st.FollowUps != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// A full queue drops hits (counted) without calling the API and without
// growing; hits on an indicator already queued share its entry.
func TestQueueFullDrops(t *testing.T) {
	b := contextBundles(t, "indicators-context-url.xsoar.json")[0]
	f := newBlocking(b, nil)
	e := newEnricher(t, f.client(), Options{Workers: 1, QueueSize: 2})
	id := func(i int) string { return fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", i) }
	p0 := e.Request(id(0))
	if got := <-f.entered; got != id(0) {
		t.Fatalf("worker took %s", got)
	}
	p1, p2 := e.Request(id(1)), e.Request(id(2))
	var dropped []*Pending
	for i := 3; i < 10; i++ {
		p := e.Request(id(i))
		if r := p.Result(); r.Status != StatusFailed || !errors.Is(r.Err, ErrQueueFull) {
			t.Fatalf("request %d: %+v", i, r)
		}
		dropped = append(dropped, p)
	}
	if e.Request(id(1)) != p1 {
		t.Fatal("a hit on a queued indicator did not share its entry")
	}
	st := e.Stats()
	if st.QueueDrops != 7 || st.QueueLen != 2 || st.Failures[ReasonQueueFull] != 7 || st.Shares != 1 {
		t.Fatalf("stats %+v", st)
	}
	close(f.release)
	for _, p := range []*Pending{p0, p1, p2} {
		if r := p.Wait(context.Background(), 5*time.Second); r.Status != StatusFailed && r.Status != StatusEnriched {
			t.Fatalf("%+v", r)
		}
	}
	// The bundle is the URL context; its root is not these ids, so the
	// fetches fail as bad bundles: the point is that they ended.
	if n := len(f.entered); n != 2 {
		t.Fatalf("%d more context calls, want 2", n)
	}
	// Dropped hits were not cached as failures: they can be asked again.
	for i, p := range dropped {
		if _, ok := e.failures.get(p.id); ok {
			t.Fatalf("queue drop %d cached as a failure", i)
		}
	}
	if r := e.Request(id(5)).Wait(context.Background(), 5*time.Second); r.Status != StatusFailed || Reason(r.Err) != ReasonBadBundle {
		t.Fatalf("asked again: %+v", r)
	}
}

// Await never waits on the API longer than its budget, whatever the API
// does; a negative budget does not wait at all.
func TestAwaitBudget(t *testing.T) {
	f := newBlocking(nil, nil)
	e := newEnricher(t, f.client(), Options{Budget: 30 * time.Millisecond})
	start := time.Now()
	r := e.Await(context.Background(), "indicator--a", "", 0)
	if r.Status != StatusPending {
		t.Fatalf("%+v", r)
	}
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Fatalf("returned after %v, before the budget", el)
	}
	if r := e.Await(context.Background(), "indicator--b", "", -1); r.Status != StatusPending {
		t.Fatalf("%+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := e.Await(ctx, "indicator--c", "", time.Hour); r.Status != StatusPending {
		t.Fatalf("canceled: %+v", r)
	}
}

// Close fails what is queued, cancels what runs, closes FollowUps and
// refuses later requests.
func TestClose(t *testing.T) {
	f := newBlocking(nil, nil)
	e, err := New(f.client(), Options{Workers: 1, QueueSize: 4, FollowUp: true})
	if err != nil {
		t.Fatal(err)
	}
	p0 := e.Request("indicator--a")
	<-f.entered
	p1 := e.Request("indicator--b")
	done := make(chan struct{})
	go func() { e.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked")
	}
	if r := p0.Result(); r.Status != StatusFailed || Reason(r.Err) != ReasonCanceled {
		t.Fatalf("running: %+v (%s)", r, Reason(r.Err))
	}
	if r := p1.Result(); r.Status != StatusFailed || !errors.Is(r.Err, ErrClosed) {
		t.Fatalf("queued: %+v", r)
	}
	if _, open := <-e.FollowUps(); open {
		t.Fatal("FollowUps not closed")
	}
	if r := e.Request("indicator--c").Result(); !errors.Is(r.Err, ErrClosed) {
		t.Fatalf("after close: %+v", r)
	}
	if e.Close() != nil {
		t.Fatal("second Close")
	}
	if _, ok := e.failures.get("indicator--a"); ok {
		t.Fatal("a canceled fetch was cached as a failure")
	}
}

// Many alerts waiting on one slow fetch are bounded by MaxWaiting.
func TestMaxWaiting(t *testing.T) {
	f := newBlocking(contextBundles(t, "indicators-context-url.xsoar.json")[0], nil)
	e := newEnricher(t, f.client(), Options{FollowUp: true, MaxWaiting: 3, FollowUpQueue: 2})
	const id = "indicator--aef1dd76-dc26-4cfd-aed9-f3a4f11e32db"
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Await(context.Background(), id, fmt.Sprint("alert-", i), time.Millisecond)
		}()
	}
	wg.Wait()
	close(f.release)
	waitFor(t, "follow-ups", func() bool { st := e.Stats(); return st.FollowUps+st.FollowUpDrops == 5 })
	// 3 waited (MaxWaiting); of those, 2 fit the channel.
	if st := e.Stats(); st.FollowUps != 2 || st.FollowUpDrops != 3 || e.waiting.Load() != 0 {
		t.Fatalf("stats %+v waiting %d", st, e.waiting.Load())
	}
}
