package enrich

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"golang.org/x/time/rate"
)

const (
	testKey     = "enrich-test-key-51c2"
	realData    = "../testdata/real/indicators.jsonl.gz"
	sekoiaDir   = "../testdata/sekoia/"
	smallSample = 2000
)

// fakeClient is a Client made of functions; a nil function answers 404.
type fakeClient struct {
	context      func(ctx context.Context, id string) (*intel.Bundle, error)
	object       func(ctx context.Context, id string) (json.RawMessage, error)
	relationship func(ctx context.Context, id string) (json.RawMessage, error)
}

func (f *fakeClient) Context(ctx context.Context, id string) (*intel.Bundle, error) {
	if f.context == nil {
		return nil, intel.ErrNotFound
	}
	return f.context(ctx, id)
}

func (f *fakeClient) Object(ctx context.Context, id string) (json.RawMessage, error) {
	if f.object == nil {
		return nil, intel.ErrNotFound
	}
	return f.object(ctx, id)
}

func (f *fakeClient) Relationship(ctx context.Context, id string) (json.RawMessage, error) {
	if f.relationship == nil {
		return nil, intel.ErrNotFound
	}
	return f.relationship(ctx, id)
}

// clock is a test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	smallOnce sync.Once
	smallDS   *intelserver.Dataset
	smallErr  error
)

// smallDataset is smallSample real indicators (spread over the file, so
// every source is in), decorated, with related objects. Loading reads the
// whole file, so every test shares this one.
func smallDataset(t testing.TB) *intelserver.Dataset {
	t.Helper()
	smallOnce.Do(func() {
		smallDS, smallErr = intelserver.LoadDataset(realData, intelserver.DatasetOptions{MaxIndicators: smallSample})
	})
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallDS
}

// standIn is a stand-in server and a client of it.
type standIn struct {
	srv    *intelserver.Server
	hs     *httptest.Server
	client *intel.Client
}

// newStandIn serves ds (the small dataset when nil) through wrap (none
// when nil) and makes a client with fast retries and no rate limit unless
// cfg says otherwise.
func newStandIn(t testing.TB, ds *intelserver.Dataset, opts intelserver.Options, wrap func(http.Handler) http.Handler, cfg intel.Config) *standIn {
	t.Helper()
	if ds == nil {
		ds = smallDataset(t)
	}
	opts.Keys = []string{testKey}
	srv := intelserver.New(ds, opts)
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	key, err := intel.NewKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL, cfg.Key = hs.URL+"/api/", key
	if cfg.RateLimit == 0 {
		cfg.RateLimit = rate.Inf
	}
	if cfg.Backoff == 0 {
		cfg.Backoff, cfg.MaxBackoff = 5*time.Millisecond, 20*time.Millisecond
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 5 * time.Second
	}
	c, err := intel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &standIn{srv: srv, hs: hs, client: c}
}

func newEnricher(t testing.TB, c Client, opts Options) *Enricher {
	t.Helper()
	e, err := New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// contextBundles reads an indicators/context answer from testdata/sekoia.
func contextBundles(t testing.TB, name string) []*intel.Bundle {
	t.Helper()
	raw, err := os.ReadFile(sekoiaDir + name)
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	var out []*intel.Bundle
	for _, it := range w.Items {
		b, err := intel.ParseBundle(it)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// fileBundle reads a bundle or a JSON array of objects from testdata/sekoia.
func fileBundle(t testing.TB, name string) *intel.Bundle {
	t.Helper()
	raw, err := os.ReadFile(sekoiaDir + name)
	if err != nil {
		t.Fatal(err)
	}
	if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] == '[' {
		var objs []json.RawMessage
		if err := json.Unmarshal(raw, &objs); err != nil {
			t.Fatal(err)
		}
		return &intel.Bundle{Type: "bundle", ID: "bundle--from-array", Objects: objs}
	}
	b, err := intel.ParseBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mapResolver resolves from a map of objects and counts the calls.
type mapResolver struct {
	mu    sync.Mutex
	objs  map[string]json.RawMessage
	calls map[string]int
}

func newMapResolver(bundles ...*intel.Bundle) *mapResolver {
	r := &mapResolver{objs: map[string]json.RawMessage{}, calls: map[string]int{}}
	for _, b := range bundles {
		for _, o := range b.Objects {
			var h struct{ ID string }
			if json.Unmarshal(o, &h) == nil && h.ID != "" {
				r.objs[h.ID] = o
			}
		}
	}
	return r
}

func (r *mapResolver) Resolve(_ context.Context, id string) (json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[id]++
	if o, ok := r.objs[id]; ok {
		return o, nil
	}
	return nil, intel.ErrNotFound
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
