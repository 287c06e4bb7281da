package enrich

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"golang.org/x/time/rate"
)

func TestBreaker(t *testing.T) {
	clk := newClock()
	b := newBreaker(3, 30*time.Second, 100*time.Second, clk.Now)
	fail := func() {
		ok, probe := b.allow()
		if !ok {
			t.Fatal("refused while closed")
		}
		b.done(probe, -1)
	}
	fail()
	fail()
	b.done(false, 1) // a success resets the count
	fail()
	fail()
	if st, _ := b.snapshot(); st != BreakerClosed {
		t.Fatalf("state %s after 2 consecutive failures", st)
	}
	fail()
	if st, opens := b.snapshot(); st != BreakerOpen || opens != 1 || !b.refusing() {
		t.Fatalf("state %s opens %d", st, opens)
	}
	if ok, _ := b.allow(); ok {
		t.Fatal("allowed while open")
	}
	b.done(false, 1) // a stale success does not close it
	clk.Advance(30 * time.Second)
	if b.refusing() {
		t.Fatal("refusing after the cool-down")
	}
	ok, probe := b.allow()
	if !ok || !probe {
		t.Fatal("no probe after the cool-down")
	}
	if ok, _ := b.allow(); ok {
		t.Fatal("second probe allowed")
	}
	b.done(false, -1) // a stale failure is not the probe's
	if st, _ := b.snapshot(); st != BreakerHalfOpen {
		t.Fatalf("state %s", st)
	}
	b.done(true, -1) // the probe fails: open for 60 s
	clk.Advance(59 * time.Second)
	if ok, _ := b.allow(); ok {
		t.Fatal("allowed before the doubled cool-down")
	}
	clk.Advance(time.Second)
	ok, probe = b.allow()
	b.done(probe, 0) // abandoned probe: the slot is free again
	ok2, probe2 := b.allow()
	if !ok || !ok2 || !probe2 {
		t.Fatal("abandoned probe kept the slot")
	}
	b.done(true, -1) // open for min(120, 100) s
	clk.Advance(100 * time.Second)
	_, probe = b.allow()
	b.done(probe, 1)
	if st, opens := b.snapshot(); st != BreakerClosed || opens != 3 {
		t.Fatalf("state %s opens %d", st, opens)
	}
	// Closed again with the base cool-down.
	fail()
	fail()
	fail()
	clk.Advance(30 * time.Second)
	if b.refusing() {
		t.Fatal("cool-down not reset")
	}
}

// With the server gone, look-ups fail until the breaker opens, then fail
// fast without a request; Await answers failed at once.
func TestAPIDownClosedServer(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{MaxAttempts: 2})
	ids := s.srv.IndicatorIDs()
	s.hs.Close()
	e := newEnricher(t, s.client, Options{BreakerThreshold: 3, CallTimeout: 2 * time.Second})
	for i, id := range ids[:10] {
		_, err := e.Lookup(context.Background(), id)
		want := ReasonNetwork
		if i >= 3 {
			want = ReasonBreakerOpen
		}
		if Reason(err) != want {
			t.Fatalf("look-up %d: %v (%s), want %s", i, err, Reason(err), want)
		}
	}
	if n := s.client.Stats().Requests; n != 3*2 {
		t.Fatalf("%d requests sent, want 6 (3 calls × 2 attempts)", n)
	}
	r := e.Await(context.Background(), ids[20], "alert-1", time.Minute)
	if r.Status != StatusFailed || !errors.Is(r.Err, ErrBreakerOpen) {
		t.Fatalf("await: %+v", r)
	}
	st := e.Stats()
	if st.Failures[ReasonNetwork] != 3 || st.Failures[ReasonBreakerOpen] != 8 || st.BreakerOpens != 1 || st.BreakerState != BreakerOpen || st.Failed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// While the API answers 503, alerts keep flowing (every Await returns
// within its budget), the failures are counted, the breaker bounds the
// requests, failed indicators are cached negatively, and the enricher
// recovers once the API does.
func TestAPIDownAlertsFlow(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{Faults: intelserver.FaultPlan{
		Rules: []intelserver.FaultRule{{Kind: intelserver.Fault503, Every: 1, Endpoints: []string{"object-context"}}},
	}}, nil, intel.Config{MaxAttempts: 2})
	clk := newClock()
	const threshold, workers = 3, 4
	e := newEnricher(t, s.client, Options{Now: clk.Now, BreakerThreshold: threshold, Workers: workers, NegativeTTL: 30 * time.Second, BreakerCooldown: time.Minute})
	ids := s.srv.IndicatorIDs()[:100]
	const goroutines, perG = 40, 10
	var mu sync.Mutex
	byStatus := map[Status]int{}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perG; i++ {
				r := e.Await(context.Background(), ids[(g*7+i*13)%len(ids)], "", 50*time.Millisecond)
				mu.Lock()
				byStatus[r.Status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if byStatus[StatusEnriched] != 0 || byStatus[StatusFailed]+byStatus[StatusPending] != goroutines*perG {
		t.Fatalf("statuses %v", byStatus)
	}
	waitFor(t, "the queue to drain", func() bool { return e.Stats().QueueLen == 0 })
	st := e.Stats()
	if st.BreakerOpens != 1 || st.Failures[ReasonServerError] < threshold || st.Failures[ReasonBreakerOpen] == 0 {
		t.Fatalf("stats %+v", st)
	}
	// Calls allowed before the breaker opened: the threshold, plus those
	// the other workers had in flight; two attempts each.
	if n := s.srv.Counts()["object-context"]; n > (threshold+workers)*2 {
		t.Fatalf("%d context requests while the API was down", n)
	}
	// An indicator that failed with a 503 is not asked again within the
	// negative TTL.
	var failedID string
	for _, id := range ids {
		if err, ok := e.failures.get(id); ok && Reason(err) == ReasonServerError {
			failedID = id
			break
		}
	}
	if failedID == "" {
		t.Fatal("no negative cache entry")
	}
	before := s.srv.Counts()["object-context"]
	if _, err := e.Lookup(context.Background(), failedID); Reason(err) != ReasonServerError || s.srv.Counts()["object-context"] != before {
		t.Fatalf("negative cache: %v, %d requests", err, s.srv.Counts()["object-context"]-before)
	}
	// The API comes back; after the cool-down a probe closes the breaker.
	s.srv.SetFaults(intelserver.FaultPlan{})
	clk.Advance(time.Minute)
	if _, err := e.Lookup(context.Background(), failedID); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if r := e.Await(context.Background(), ids[99], "", time.Minute); r.Status != StatusEnriched {
		t.Fatalf("after recovery: %+v", r)
	}
	if st := e.Stats(); st.BreakerState != BreakerClosed {
		t.Fatalf("breaker %s", st.BreakerState)
	}
}

// A 429 with Retry-After is waited out and the call succeeds.
func TestThrottledWithRetryAfter(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{Faults: intelserver.FaultPlan{
		Rules:      []intelserver.FaultRule{{Kind: intelserver.FaultThrottleRetryAfter, Every: 1, Max: 1, Endpoints: []string{"object-context"}}},
		RetryAfter: time.Second,
	}}, nil, intel.Config{})
	e := newEnricher(t, s.client, Options{})
	id := s.srv.IndicatorIDs()[2]
	start := time.Now()
	d, err := e.Lookup(context.Background(), id)
	if err != nil || d.Indicator.STIXID != id {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("Retry-After not honoured: %v", waited)
	}
	c := s.srv.Counts()
	if c["fault:429-retry-after"] != 1 || c["object-context"] != 2 || s.client.Stats().Throttled != 1 {
		t.Fatalf("counts %v client %+v", c, s.client.Stats())
	}
	if st := e.Stats(); len(st.Failures) != 0 || st.BreakerState != BreakerClosed || st.ContextCalls != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A 429 without Retry-After asks for a 30 s back-off, longer than the call
// timeout: the call fails as throttled, and after the threshold the
// breaker stops the requests.
func TestThrottledWithoutRetryAfter(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{Faults: intelserver.FaultPlan{
		Rules: []intelserver.FaultRule{{Kind: intelserver.FaultThrottle, Every: 1, Endpoints: []string{"object-context"}}},
	}}, nil, intel.Config{ThrottleBackoff: 30 * time.Second})
	e := newEnricher(t, s.client, Options{CallTimeout: 200 * time.Millisecond, BreakerThreshold: 2})
	for i, id := range s.srv.IndicatorIDs()[:6] {
		_, err := e.Lookup(context.Background(), id)
		want := ReasonThrottled
		if i >= 2 {
			want = ReasonBreakerOpen
		}
		if Reason(err) != want {
			t.Fatalf("look-up %d: %v, want %s", i, err, want)
		}
	}
	st := e.Stats()
	if n := s.srv.Counts()["object-context"]; n != 2 || st.Failures[ReasonThrottled] != 2 || st.Failures[ReasonBreakerOpen] != 4 {
		t.Fatalf("%d requests, stats %+v", n, st)
	}
}

// The feed sync and the enrichment share the client's limiter: together
// they stay within its rate.
func TestSharedRateLimit(t *testing.T) {
	const perSecond = 40
	rec := &recordingTransport{base: http.DefaultTransport}
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{
		RateLimit: rate.Limit(perSecond), Burst: 1, HTTPClient: &http.Client{Transport: rec},
	})
	e := newEnricher(t, s.client, Options{Workers: 4})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feedPages := make(chan int, 1)
	go func() { // the feed sync
		n, cursor := 0, ""
		for ctx.Err() == nil {
			p, err := s.client.FeedPage(ctx, "", intel.FeedQuery{Limit: 20, Cursor: cursor, Types: []string{"indicator"}})
			if err != nil {
				break
			}
			n++
			cursor = p.NextCursor
		}
		feedPages <- n
	}()
	var wg sync.WaitGroup
	for _, id := range s.srv.IndicatorIDs()[:30] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.Await(context.Background(), id, "", 10*time.Second); r.Status != StatusEnriched {
				t.Errorf("%s: %+v", id, r)
			}
		}()
	}
	wg.Wait()
	cancel()
	pages := <-feedPages
	if pages < 3 {
		t.Fatalf("the feed sync made %d requests meanwhile", pages)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	times := rec.times
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	// In any half second: at most rate/2 + the burst, plus 2 for the
	// scheduling jitter between the limiter and the transport.
	const window, bound = 500 * time.Millisecond, perSecond/2 + 1 + 2
	for i := range times {
		n := sort.Search(len(times), func(j int) bool { return !times[j].Before(times[i].Add(window)) }) - i
		if n > bound {
			t.Fatalf("%d requests within %v from request %d (of %d): the limit is %d/s", n, window, i, len(times), perSecond)
		}
	}
}

// recordingTransport records when each request leaves the client.
type recordingTransport struct {
	base  http.RoundTripper
	mu    sync.Mutex
	times []time.Time
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.times = append(rt.times, time.Now())
	rt.mu.Unlock()
	return rt.base.RoundTrip(r)
}
