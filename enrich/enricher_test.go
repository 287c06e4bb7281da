package enrich

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

// A digest of a stand-in context holds what the stand-in generates: a
// threat, an ATT&CK technique, a source, a TLP marking.
func TestLookupStandInDigest(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{})
	e := newEnricher(t, s.client, Options{})
	withCoA := 0
	for _, id := range s.srv.IndicatorIDs()[:60] {
		d, err := e.Lookup(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		threats := len(d.ThreatActors) + len(d.IntrusionSets) + len(d.Malware) + len(d.Tools) + len(d.Campaigns)
		if d.Indicator.STIXID != id || threats != 1 || len(d.AttackPatterns) != 1 || d.AttackPatterns[0].ID == "" ||
			len(d.Sources) != 1 || d.Sources[0].Name == "" || d.Marking == nil || len(d.Unresolved) != 0 {
			t.Fatalf("%s: digest %+v", id, d)
		}
		if !strings.HasPrefix(d.AttackPatterns[0].ID, "T") || !strings.HasPrefix(d.AttackPatterns[0].Reference, "https://attack.mitre.org/techniques/") {
			t.Fatalf("attack pattern %+v", d.AttackPatterns[0])
		}
		if len(d.CoursesOfAction) > 0 {
			withCoA++
			if !strings.HasPrefix(d.CoursesOfAction[0].ID, "M") {
				t.Fatalf("course of action %+v", d.CoursesOfAction[0])
			}
		}
		var indicates int
		for _, r := range d.Relationships {
			if r.Type == "indicates" && r.SourceRef == id {
				indicates++
			}
		}
		if indicates != 2 {
			t.Fatalf("%s: relationships %+v", id, d.Relationships)
		}
	}
	if withCoA == 0 {
		t.Fatal("no digest had a course of action")
	}
	if st := e.Stats(); st.ObjectCalls != 0 || st.ContextCalls != 60 {
		t.Fatalf("complete bundles needed %d object calls, %d context calls", st.ObjectCalls, st.ContextCalls)
	}
}

// A second look-up is served by the cache; after the TTL one call is made.
func TestLookupCacheHitAndTTL(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{})
	clk := newClock()
	e := newEnricher(t, s.client, Options{Now: clk.Now, TTL: time.Hour})
	id := s.srv.IndicatorIDs()[7]
	ctx := context.Background()
	d1, err := e.Lookup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		clk.Advance(10 * time.Minute) // 50 min in all: still within the TTL
		d2, err := e.Lookup(ctx, id)
		if err != nil || !reflect.DeepEqual(d1, d2) {
			t.Fatalf("cached lookup %d: %v", i, err)
		}
	}
	if n := s.srv.Counts()["object-context"]; n != 1 {
		t.Fatalf("%d context requests for 6 look-ups within the TTL", n)
	}
	clk.Advance(10 * time.Minute) // past the TTL
	if _, err := e.Lookup(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := s.srv.Counts()["object-context"]; n != 2 {
		t.Fatalf("%d context requests after the TTL, want 2", n)
	}
	st := e.Stats()
	if st.Hits != 7 || st.CacheHits != 5 || st.CacheMisses != 2 || st.ContextCalls != 2 || st.Distinct != 1 || st.ContextCallsPerDistinct() != 2 {
		t.Fatalf("stats %+v", st)
	}
	// The feed sync changed the indicator: Forget makes the next hit fetch.
	if _, err := s.srv.Modify(id, func(o map[string]any) { o["name"] = "renamed" }); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Lookup(ctx, id); d.Indicator.Name == "renamed" {
		t.Fatal("cached digest expected before Forget")
	}
	e.Forget(id)
	if d, err := e.Lookup(ctx, id); err != nil || d.Indicator.Name != "renamed" || s.srv.Counts()["object-context"] != 3 {
		t.Fatalf("after Forget: %v %q, %d requests", err, d.Indicator.Name, s.srv.Counts()["object-context"])
	}
}

// The cache keeps at most MaxEntries digests.
func TestLookupCacheBound(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{})
	e := newEnricher(t, s.client, Options{MaxEntries: 10})
	ids := s.srv.IndicatorIDs()[:30]
	for _, id := range ids {
		if _, err := e.Lookup(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.Stats().CacheEntries; n != 10 {
		t.Fatalf("%d cache entries, bound 10", n)
	}
	// The most recent ten are hits, the first is gone.
	s.srv.ResetCounts()
	for _, id := range ids[20:] {
		e.Lookup(context.Background(), id)
	}
	e.Lookup(context.Background(), ids[0])
	if n := s.srv.Counts()["object-context"]; n != 1 {
		t.Fatalf("%d context requests, want 1 (the evicted id)", n)
	}
}

// Fifty concurrent hits on one indicator make one context request, on the
// synchronous and on the asynchronous path.
func TestSingleflightConcurrentHits(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{Faults: intelserver.FaultPlan{
		Rules:     []intelserver.FaultRule{{Kind: intelserver.FaultSlow, Every: 1, Endpoints: []string{"object-context"}}},
		SlowDelay: 150 * time.Millisecond,
	}}, nil, intel.Config{})
	e := newEnricher(t, s.client, Options{})
	ids := s.srv.IndicatorIDs()
	const n = 50
	run := func(fn func(i int)) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				fn(i)
			}()
		}
		close(start)
		wg.Wait()
	}
	var errs atomic.Int64
	run(func(int) {
		if _, err := e.Lookup(context.Background(), ids[3]); err != nil {
			errs.Add(1)
		}
	})
	var statuses sync.Map
	run(func(i int) {
		r := e.Await(context.Background(), ids[4], "alert-"+strconv.Itoa(i), 5*time.Second)
		statuses.Store(i, r.Status)
	})
	if errs.Load() != 0 {
		t.Fatalf("%d look-ups failed", errs.Load())
	}
	statuses.Range(func(k, v any) bool {
		if v != StatusEnriched {
			t.Errorf("await %v: %v", k, v)
		}
		return true
	})
	if c := s.srv.Counts()["object-context"]; c != 2 {
		t.Fatalf("%d context requests for 2×%d concurrent hits on 2 ids, want 2", c, n)
	}
	st := e.Stats()
	// The others shared the fetch, or (had they started after it ended)
	// found the digest cached.
	if st.ContextCalls != 2 || st.Shares+st.CacheHits != 2*n-2 || st.Shares == 0 || st.Hits != 2*n || st.Distinct != 2 || st.Enriched != n {
		t.Fatalf("stats %+v", st)
	}
}

// stripContext removes objects from context bundles the stand-in sends.
type stripContext struct {
	on   atomic.Bool
	drop func(typ, id string) bool
}

func (sc *stripContext) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !sc.on.Load() || !strings.HasSuffix(r.URL.Path, "/context") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var b intel.Bundle
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &b) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		kept := b.Objects[:0]
		for _, o := range b.Objects {
			var h struct{ Type, ID string }
			json.Unmarshal(o, &h)
			if !sc.drop(h.Type, h.ID) {
				kept = append(kept, o)
			}
		}
		b.Objects = kept
		out, _ := json.Marshal(b)
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	})
}

// Objects a bundle references but lacks are fetched with objects/{id} and
// relationships/{id}, once each thanks to the object cache, and the
// digest is the one the complete bundle gives.
func TestMissingObjectsFetched(t *testing.T) {
	sc := &stripContext{}
	s := newStandIn(t, nil, intelserver.Options{}, sc.wrap, intel.Config{})
	ids := s.srv.IndicatorIDs()
	root := ids[0]
	// A relationship from the indicator to a relationship of another
	// indicator: the bundle names it as the other end, and the strip
	// drops it.
	var full intel.Bundle
	b, err := s.client.Context(context.Background(), ids[1])
	if err != nil {
		t.Fatal(err)
	}
	var target string
	for _, o := range b.Objects {
		var h struct{ Type, ID, RelationshipType string }
		json.Unmarshal(o, &h)
		if h.Type == "relationship" && target == "" {
			target = h.ID
		}
	}
	rel := `{"type":"relationship","spec_version":"2.1","id":"relationship--0c6f1a52-5a3e-4d39-9d1e-b1b9a3f2c001","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","relationship_type":"related-to","source_ref":"` + root + `","target_ref":"` + target + `"}`
	if err := s.srv.Put(json.RawMessage(rel)); err != nil {
		t.Fatal(err)
	}
	fb, err := s.client.Context(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	full = *fb

	dropped := map[string]bool{}
	sc.drop = func(typ, id string) bool {
		switch typ {
		case "malware", "tool", "intrusion-set", "threat-actor", "campaign", "identity", "marking-definition":
			dropped[id] = true
			return true
		}
		return id == target
	}
	sc.on.Store(true)
	s.srv.ResetCounts()
	e := newEnricher(t, s.client, Options{})
	d, err := e.Lookup(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Build(context.Background(), &full, root, nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Fetched, want.Fetched, d.FetchedAt, want.FetchedAt = 0, 0, time.Time{}, time.Time{}
	if !reflect.DeepEqual(d, want) {
		got, _ := json.MarshalIndent(d, "", " ")
		exp, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("digest from the stripped bundle differs:\n%s\nwant\n%s", got, exp)
	}
	c := s.srv.Counts()
	// The threat and the source identity by objects/{id}; the standard
	// TLP ids need nothing; the relationship by relationships/{id}.
	if c["object"] != 2 || c["relationship"] != 1 || c["object-context"] != 1 {
		t.Fatalf("requests %v", c)
	}
	if st := e.Stats(); st.ObjectCalls != 2 || st.RelationshipCalls != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Other indicators share sources and threats: the object cache answers.
	for _, id := range ids[1:20] {
		if _, err := e.Lookup(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	st := e.Stats()
	if st.ObjectCacheHits == 0 || st.ObjectCalls >= 2*20 {
		t.Fatalf("object cache: %+v", st)
	}
	if int64(s.srv.Counts()["object"]) != st.ObjectCalls {
		t.Fatalf("server saw %d object requests, enricher counted %d", s.srv.Counts()["object"], st.ObjectCalls)
	}
}

// An unknown indicator fails with not_found, is cached negatively, and
// does not count against the breaker.
func TestLookupNotFound(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{})
	clk := newClock()
	e := newEnricher(t, s.client, Options{Now: clk.Now, BreakerThreshold: 2})
	for i := 0; i < 5; i++ {
		_, err := e.Lookup(context.Background(), "indicator--00000000-0000-4000-8000-00000000000"+strconv.Itoa(i))
		if !errors.Is(err, intel.ErrNotFound) || Reason(err) != ReasonNotFound {
			t.Fatalf("err %v", err)
		}
	}
	if _, err := e.Lookup(context.Background(), "indicator--00000000-0000-4000-8000-000000000000"); !errors.Is(err, intel.ErrNotFound) {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.BreakerOpens != 0 || st.NegativeHits != 1 || st.Failures[ReasonNotFound] != 5 || s.srv.Counts()["object-context"] != 5 {
		t.Fatalf("stats %+v counts %v", st, s.srv.Counts())
	}
	if _, err := e.Lookup(context.Background(), "../etc"); err == nil {
		t.Fatal("bad id accepted")
	}
}

// The nil Enricher is "disabled".
func TestNilEnricher(t *testing.T) {
	var e *Enricher
	if r := e.Await(context.Background(), "indicator--a", "x", 0); r.Status != StatusDisabled {
		t.Fatal(r)
	}
	if _, err := e.Lookup(context.Background(), "indicator--a"); !errors.Is(err, ErrDisabled) {
		t.Fatal(err)
	}
	if p := e.Request("indicator--a"); p.Result().Status != StatusDisabled {
		t.Fatal(p.Result())
	}
	if e.FollowUps() != nil || e.Close() != nil || e.Stats().Hits != 0 {
		t.Fatal("nil enricher")
	}
}

func TestNewNilClient(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Fatal("nil client accepted")
	}
}

// The text form names every part and strips control characters.
func TestWriteText(t *testing.T) {
	d, err := Build(context.Background(), contextBundles(t, "indicators-context-url.xsoar.json")[0], "", nil, BuildOptions{FetchedAt: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	d.Malware[0].Name = "Haj\x1b[31mime"
	var buf bytes.Buffer
	if err := d.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"indicator", "indicator--aef1dd76", "tlp", "WHITE", "source", "URLhaus", "malware", "Haj [31mime", "tactic", "TA0011", "relationship", "indicates"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("escape character printed")
	}
}
