package ingest_test

import (
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"github.com/indicator-matcher/matcher/ingest/store"
)

func TestFullSync(t *testing.T) {
	s, hs := standIn(t, intelserver.FaultPlan{})
	st := openStore(t, "")
	p, chs, err := syncOnce(t, st, restSource(t, client(t, hs.URL, nil), 150))
	if err != nil {
		t.Fatal(err)
	}
	checkTruth(t, st, s)
	want := len(s.Indicators())
	if p.Objects != int64(want) || p.Pages != int64(want/150+1) || !p.CaughtUp || p.Skipped != 0 {
		t.Fatalf("progress %+v, want %d objects", p, want)
	}
	seen := map[string]bool{}
	for _, c := range chs {
		for _, r := range c.Upserted {
			seen[r.ID] = true
		}
	}
	if len(seen) != want {
		t.Fatalf("changes announced %d indicators, want %d", len(seen), want)
	}
	cur, _ := st.Cursor("rest", intel.DefaultFeedID)
	if !cur.CaughtUp || cur.Value == "" {
		t.Fatalf("cursor %+v", cur)
	}
	// The initial sync asked without revoked objects, later pulls with.
	if c := s.Counts(); c["feed"] != int64(p.Pages) {
		t.Fatalf("feed requests %v, pages %d", c, p.Pages)
	}
	// A second run is incremental and finds nothing.
	p2, chs2, err := syncOnce(t, st, restSource(t, client(t, hs.URL, nil), 150))
	if err != nil || p2.Pages != 1 || p2.Objects != 0 || len(chs2) != 1 || !chs2[0].Empty() {
		t.Fatalf("second run: %v %+v", err, p2)
	}
}

func TestIncrementalModifyRevokeExpireAdd(t *testing.T) {
	s, hs := standIn(t, intelserver.FaultPlan{})
	st := openStore(t, "")
	c := client(t, hs.URL+"/api/", nil)
	if _, _, err := syncOnce(t, st, restSource(t, c, 500)); err != nil {
		t.Fatal(err)
	}
	all := s.IndicatorIDs()
	mod, rev, exp := all[10], all[20], all[30]
	if _, err := s.Modify(mod, func(o map[string]any) { o["pattern"] = "[domain-name:value = 'changed.example']" }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Revoke(rev); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expire(exp); err != nil {
		t.Fatal(err)
	}
	added, err := s.AddIndicator("[ipv4-addr:value = '203.0.113.9']", "203.0.113.9", 24*time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	_, chs, err := syncOnce(t, st, restSource(t, c, 500))
	if err != nil {
		t.Fatal(err)
	}
	var up, rm []string
	for _, ch := range chs {
		for _, r := range ch.Upserted {
			up = append(up, r.ID)
		}
		rm = append(rm, ch.Removed...)
	}
	sort.Strings(up)
	sort.Strings(rm)
	wantUp, wantRm := []string{mod, added}, []string{rev, exp}
	sort.Strings(wantUp)
	sort.Strings(wantRm)
	if len(up) != 2 || up[0] != wantUp[0] || up[1] != wantUp[1] || len(rm) != 2 || rm[0] != wantRm[0] || rm[1] != wantRm[1] {
		t.Fatalf("upserted %v removed %v; want %v %v", up, rm, wantUp, wantRm)
	}
	checkTruth(t, st, s)
	got, err := st.Get(mod)
	if err != nil || got.Pattern != "[domain-name:value = 'changed.example']" {
		t.Fatalf("modified indicator: %v %q", err, got.Pattern)
	}
	if _, err := st.Get(rev); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked indicator: %v", err)
	}
	if _, err := st.Get(exp); err != nil {
		t.Fatalf("expired indicator should stay stored: %v", err)
	}
	activeSet := map[string]bool{}
	st.ForEachActive(time.Now(), func(r store.Record) error { activeSet[r.ID] = true; return nil })
	if activeSet[rev] || activeSet[exp] || !activeSet[mod] || !activeSet[added] {
		t.Fatal("active set wrong")
	}
	// And a store synced from scratch now is identical.
	fresh := openStore(t, "")
	if _, _, err := syncOnce(t, fresh, restSource(t, c, 500)); err != nil {
		t.Fatal(err)
	}
	if digest(t, fresh) != digest(t, st) {
		t.Fatal("incremental store differs from a fresh sync")
	}
}

func TestTAXIIMatchesREST(t *testing.T) {
	s, hs := standIn(t, intelserver.FaultPlan{})
	c := client(t, hs.URL+"/api/", nil)
	rest := openStore(t, "")
	if _, _, err := syncOnce(t, rest, restSource(t, c, 300)); err != nil {
		t.Fatal(err)
	}
	taxii := openStore(t, "")
	src, err := ingest.NewTAXIISource(c, ingest.TAXIIOptions{Limit: 300})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := syncOnce(t, taxii, src)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, rest) != digest(t, taxii) {
		t.Fatal("TAXII store differs from REST store")
	}
	checkTruth(t, taxii, s)
	// Incremental over TAXII: a revocation arrives through "next".
	id := s.IndicatorIDs()[5]
	s.Revoke(id)
	_, chs, err := syncOnce(t, taxii, src)
	if err != nil || len(chs) != 1 || len(chs[0].Removed) != 1 || chs[0].Removed[0] != id {
		t.Fatalf("TAXII incremental: %v %+v", err, chs)
	}
	if p.Pages < 2 {
		t.Fatalf("TAXII used %d pages", p.Pages)
	}
	cur, _ := taxii.Cursor("taxii", intel.DefaultFeedID)
	if len(cur.Value) < 6 || cur.Value[:5] != "next:" {
		t.Fatalf("TAXII cursor %q", cur.Value)
	}
}

func TestFileSourceMatchesREST(t *testing.T) {
	s, hs := standIn(t, intelserver.FaultPlan{})
	rest := openStore(t, "")
	if _, _, err := syncOnce(t, rest, restSource(t, client(t, hs.URL, nil), 2000)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.jsonl.gz")
	f, _ := os.Create(path)
	zw := gzip.NewWriter(f)
	for _, id := range s.IndicatorIDs() {
		raw, _ := s.Object(id)
		zw.Write(raw)
		zw.Write([]byte("\n"))
	}
	// Objects that are not indicators are skipped.
	zw.Write([]byte(`{"type":"malware","id":"malware--1","name":"x"}` + "\n"))
	zw.Close()
	f.Close()
	st := openStore(t, "")
	src, err := ingest.NewFileSource(path, 333)
	if err != nil {
		t.Fatal(err)
	}
	// Stop after two pages, then resume with a new source from the cursor.
	ctx, cancel := context.WithCancel(context.Background())
	pages := 0
	ingest.NewSyncer(st, src, ingest.Options{Once: true, Progress: func(ingest.Progress) {
		if pages++; pages == 2 {
			cancel()
		}
	}}).Run(ctx, nil)
	cur, _ := st.Cursor("file", path)
	if cur.CaughtUp || cur.Value == "" {
		t.Fatalf("cursor after 2 pages %+v", cur)
	}
	src2, _ := ingest.NewFileSource(path, 333)
	p, _, err := syncOnce(t, st, src2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Skipped != 1 || p.Objects != int64(len(s.IndicatorIDs())+1-2*333) {
		t.Fatalf("resumed run %+v", p)
	}
	if digest(t, st) != digest(t, rest) {
		t.Fatal("file store differs from REST store")
	}
}

func TestModifiedAfterFirstSync(t *testing.T) {
	s, hs := standIn(t, intelserver.FaultPlan{})
	st := openStore(t, "")
	src, _ := ingest.NewRESTSource(client(t, hs.URL, nil), ingest.RESTOptions{Limit: 1000, ModifiedAfter: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	p, _, err := syncOnce(t, st, src)
	if err != nil {
		t.Fatal(err)
	}
	if p.Objects == 0 || p.Objects >= int64(len(s.Indicators())) {
		t.Fatalf("modified_after kept %d of %d", p.Objects, len(s.Indicators()))
	}
	err = st.ForEachRecord(func(r store.Record) error {
		if !r.Modified.After(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s modified %v", r.ID, r.Modified)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestContinuousRun runs the syncer without Once: it polls, reports a
// revocation made while it waits, and stops cleanly on cancellation.
func TestContinuousRun(t *testing.T) {
	s, hs := standIn(t, intelserver.FaultPlan{})
	st := openStore(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan store.Changes, 100)
	done := make(chan error, 1)
	go func() {
		_, err := ingest.NewSyncer(st, restSource(t, client(t, hs.URL, nil), 2000), ingest.Options{PollInterval: 20 * time.Millisecond}).
			Run(ctx, func(c store.Changes) { changes <- c })
		done <- err
	}()
	id := s.IndicatorIDs()[0]
	deadline := time.After(20 * time.Second)
	revoked := false
	for {
		select {
		case c := <-changes:
			if c.Cursor.CaughtUp && !revoked {
				revoked = true
				s.Revoke(id)
			}
			if len(c.Removed) == 1 && c.Removed[0] == id {
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				checkTruth(t, st, s)
				return
			}
		case <-deadline:
			t.Fatal("revocation not seen")
		}
	}
}

func TestPermanentErrorStopsContinuousRun(t *testing.T) {
	_, hs := standIn(t, intelserver.FaultPlan{Rules: []intelserver.FaultRule{{Kind: intelserver.FaultForbidden, Every: 1}}})
	st := openStore(t, "")
	_, err := ingest.NewSyncer(st, restSource(t, client(t, hs.URL, nil), 100), ingest.Options{PollInterval: time.Millisecond}).Run(context.Background(), nil)
	if !errors.Is(err, intel.ErrForbidden) {
		t.Fatalf("%v", err)
	}
}

// TestNullCursorAtEnd: a server that answers next_cursor null on the last
// page makes the client keep its previous cursor; incremental pulls still
// converge (the re-sent objects are stale and ignored).
func TestNullCursorAtEnd(t *testing.T) {
	s := intelserver.New(dataset(t), intelserver.Options{Keys: []string{testKey}, NullCursorAtEnd: true})
	hs := httptestServer(t, s)
	st := openStore(t, "")
	c := client(t, hs.URL, nil)
	if _, _, err := syncOnce(t, st, restSource(t, c, 300)); err != nil {
		t.Fatal(err)
	}
	s.Revoke(s.IndicatorIDs()[1])
	s.Modify(s.IndicatorIDs()[2], func(o map[string]any) { o["confidence"] = 3 })
	p, _, err := syncOnce(t, st, restSource(t, c, 300))
	if err != nil {
		t.Fatal(err)
	}
	if p.Stale == 0 || p.Removed != 1 {
		t.Fatalf("%+v", p)
	}
	checkTruth(t, st, s)
}
