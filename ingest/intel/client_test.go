package intel_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"golang.org/x/time/rate"
)

const testKey = "sk-test-0123456789abcdef"

var (
	dsOnce sync.Once
	ds     *intelserver.Dataset
	dsErr  error
)

func dataset(t testing.TB) *intelserver.Dataset {
	t.Helper()
	dsOnce.Do(func() {
		ds, dsErr = intelserver.LoadDataset("../../testdata/real/indicators.jsonl.gz", intelserver.DatasetOptions{MaxIndicators: 600})
	})
	if dsErr != nil {
		t.Fatal(dsErr)
	}
	return ds
}

func standIn(t testing.TB, faults ...intelserver.FaultRule) (*intelserver.Server, *httptest.Server) {
	t.Helper()
	s := intelserver.New(dataset(t), intelserver.Options{
		Keys:   []string{testKey},
		Faults: intelserver.FaultPlan{Rules: faults, SlowDelay: 400 * time.Millisecond, RetryAfter: time.Second},
	})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func mustKey(t testing.TB, s string) intel.Key {
	k, err := intel.NewKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fastConfig retries quickly and has no rate limit.
func fastConfig(t testing.TB, base string) intel.Config {
	return intel.Config{
		BaseURL: base, Key: mustKey(t, testKey), RateLimit: rate.Inf,
		Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, ThrottleBackoff: 20 * time.Millisecond,
		RequestTimeout: 2 * time.Second, MaxAttempts: 4,
	}
}

func newClient(t testing.TB, cfg intel.Config) *intel.Client {
	c, err := intel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBaseURLJoin(t *testing.T) {
	for in, want := range map[string]string{
		"":                                       "https://api.sekoia.io/v2/inthreat/",
		"https://api.sekoia.io":                  "https://api.sekoia.io/v2/inthreat/",
		"https://app.sekoia.io/api/":             "https://app.sekoia.io/api/v2/inthreat/",
		"https://app.sekoia.io/api":              "https://app.sekoia.io/api/v2/inthreat/",
		"https://api.sekoia.io/v2/inthreat":      "https://api.sekoia.io/v2/inthreat/",
		"http://127.0.0.1:8080/api/v2/inthreat/": "http://127.0.0.1:8080/api/v2/inthreat/",
	} {
		c := newClient(t, intel.Config{BaseURL: in, Key: mustKey(t, "k")})
		if c.BaseURL() != want {
			t.Errorf("%q -> %q, want %q", in, c.BaseURL(), want)
		}
		if !strings.HasSuffix(c.TAXIIRoot(), "/v2/inthreat/taxii-server/") {
			t.Errorf("TAXII root %q", c.TAXIIRoot())
		}
	}
	for _, bad := range []string{"ftp://x/", "api.sekoia.io", "https://user:pw@api.sekoia.io/"} {
		if _, err := intel.New(intel.Config{BaseURL: bad, Key: mustKey(t, "k")}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := intel.New(intel.Config{}); !errors.Is(err, intel.ErrNoKey) {
		t.Errorf("no key: %v", err)
	}
}

func TestFeedQuerySent(t *testing.T) {
	var got url.Values
	var auth, path string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, auth, path = r.URL.Query(), r.Header.Get("Authorization"), r.URL.Path
		w.Write([]byte(`{"items": [], "next_cursor": null}`))
	}))
	defer hs.Close()
	c := newClient(t, fastConfig(t, hs.URL+"/api/"))
	f := false
	p, err := c.FeedPage(context.Background(), "", intel.FeedQuery{
		Types: []string{"indicator"}, ModifiedAfter: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		SkipExpired: true, IncludeRevoked: &f,
	})
	if err != nil || p.NextCursor != "" || len(p.Items) != 0 {
		t.Fatalf("%v %+v", err, p)
	}
	if path != "/api/v2/inthreat/collections/"+intel.DefaultFeedID+"/objects" || auth != "Bearer "+testKey {
		t.Fatalf("path %q auth %q", path, auth)
	}
	want := url.Values{"limit": {"2000"}, "match[type]": {"indicator"}, "modified_after": {"2024-01-02T03:04:05.000Z"}, "skip_expired": {"true"}, "include_revoked": {"false"}}
	if got.Encode() != want.Encode() {
		t.Fatalf("query %v, want %v", got, want)
	}
	// With a cursor, modified_after is not sent.
	if _, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Cursor: "abc", ModifiedAfter: time.Now(), Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if got.Get("cursor") != "abc" || got.Has("modified_after") || got.Get("limit") != "10" {
		t.Fatalf("query %v", got)
	}
	if _, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 2001}); err == nil {
		t.Fatal("limit 2001 accepted")
	}
	if _, err := c.FeedPage(context.Background(), "../x", intel.FeedQuery{}); err == nil {
		t.Fatal("bad feed id accepted")
	}
}

func TestFeedPagesAgainstStandIn(t *testing.T) {
	s, hs := standIn(t)
	c := newClient(t, fastConfig(t, hs.URL))
	cursor, n := "", 0
	for {
		p, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 128, Cursor: cursor, Types: []string{"indicator"}})
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Items)
		cursor = p.NextCursor
		if len(p.Items) < 128 {
			break
		}
	}
	if n != len(s.Indicators()) {
		t.Fatalf("got %d indicators, want %d", n, len(s.Indicators()))
	}
}

func TestTransientFaultsRetried(t *testing.T) {
	for _, kind := range []intelserver.FaultKind{intelserver.Fault500, intelserver.Fault502, intelserver.Fault503, intelserver.FaultThrottle, intelserver.FaultDrop, intelserver.FaultTruncate, intelserver.FaultInvalidJSON, intelserver.FaultSlow} {
		t.Run(string(kind), func(t *testing.T) {
			_, hs := standIn(t, intelserver.FaultRule{Kind: kind, Every: 1, Max: 2})
			cfg := fastConfig(t, hs.URL)
			cfg.RequestTimeout = 200 * time.Millisecond // slow answers take 400 ms
			cfg.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			c := newClient(t, cfg)
			p, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 50, Types: []string{"indicator"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 50 {
				t.Fatalf("%d items", len(p.Items))
			}
			if st := c.Stats(); st.Retries != 2 || st.Requests != 3 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	_, hs := standIn(t, intelserver.FaultRule{Kind: intelserver.FaultThrottleRetryAfter, Every: 1, Max: 1})
	c := newClient(t, fastConfig(t, hs.URL))
	start := time.Now()
	if _, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 5}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("retried after %v, Retry-After was 1 s", d)
	}
	if c.Stats().Throttled != 1 {
		t.Fatalf("%+v", c.Stats())
	}
}

func TestThrottleBackoffWithoutRetryAfter(t *testing.T) {
	_, hs := standIn(t, intelserver.FaultRule{Kind: intelserver.FaultThrottle, Every: 1, Max: 1})
	cfg := fastConfig(t, hs.URL)
	cfg.ThrottleBackoff = 300 * time.Millisecond
	c := newClient(t, cfg)
	start := time.Now()
	if _, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 5}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("429 retried after %v; throttle backoff 300 ms (at least half with jitter)", d)
	}
}

func TestAuthErrorsNotRetried(t *testing.T) {
	for kind, want := range map[intelserver.FaultKind]error{intelserver.FaultUnauthorized: intel.ErrUnauthorized, intelserver.FaultForbidden: intel.ErrForbidden} {
		_, hs := standIn(t, intelserver.FaultRule{Kind: kind, Every: 1})
		c := newClient(t, fastConfig(t, hs.URL))
		_, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 5})
		if !errors.Is(err, want) || !intel.Permanent(err) {
			t.Fatalf("%s: %v", kind, err)
		}
		if c.Stats().Requests != 1 {
			t.Fatalf("%s: %d requests", kind, c.Stats().Requests)
		}
		if kind == intelserver.FaultForbidden && !strings.Contains(err.Error(), "View intelligence") {
			t.Fatalf("403 does not name the permission: %v", err)
		}
	}
	// A wrong key against the stand-in.
	_, hs := standIn(t)
	cfg := fastConfig(t, hs.URL)
	cfg.Key = mustKey(t, "wrong")
	if _, err := newClient(t, cfg).FeedPage(context.Background(), "", intel.FeedQuery{}); !errors.Is(err, intel.ErrUnauthorized) {
		t.Fatalf("wrong key: %v", err)
	}
	// An unknown feed is a 403.
	if _, err := newClient(t, fastConfig(t, hs.URL)).FeedPage(context.Background(), "11111111-2222-3333-4444-555555555555", intel.FeedQuery{}); !errors.Is(err, intel.ErrForbidden) {
		t.Fatalf("unknown feed: %v", err)
	}
}

func TestRetriesExhausted(t *testing.T) {
	_, hs := standIn(t, intelserver.FaultRule{Kind: intelserver.Fault503, Every: 1})
	c := newClient(t, fastConfig(t, hs.URL))
	_, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 5})
	var se *intel.StatusError
	if !errors.Is(err, intel.ErrRetriesExhausted) || !errors.As(err, &se) || se.Status != 503 || intel.Permanent(err) {
		t.Fatalf("%v", err)
	}
	if c.Stats().Requests != 4 {
		t.Fatalf("%d requests, want 4", c.Stats().Requests)
	}
}

func TestBodyTooLarge(t *testing.T) {
	_, hs := standIn(t)
	cfg := fastConfig(t, hs.URL)
	cfg.MaxBodyBytes = 4096
	c := newClient(t, cfg)
	_, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 100})
	if !errors.Is(err, intel.ErrTooLarge) || c.Stats().Requests != 1 {
		t.Fatalf("%v after %d requests", err, c.Stats().Requests)
	}
}

func TestRateLimit(t *testing.T) {
	_, hs := standIn(t)
	cfg := fastConfig(t, hs.URL)
	cfg.RateLimit = 20
	c := newClient(t, cfg)
	start := time.Now()
	for i := 0; i < 11; i++ {
		if _, err := c.FeedPage(context.Background(), "", intel.FeedQuery{Limit: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Fatalf("11 requests at 20/s took %v", d)
	}
}

func TestContextCancel(t *testing.T) {
	_, hs := standIn(t, intelserver.FaultRule{Kind: intelserver.FaultSlow, Every: 1})
	cfg := fastConfig(t, hs.URL)
	cfg.RequestTimeout = 10 * time.Second
	c := newClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.FeedPage(ctx, "", intel.FeedQuery{Limit: 1})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 350*time.Millisecond {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
}
