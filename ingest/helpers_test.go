package ingest_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"github.com/indicator-matcher/matcher/ingest/store"
	"golang.org/x/time/rate"
)

const testKey = "ingest-test-key-42"

// digestTime is the clock of every digest comparison.
var digestTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	dsOnce sync.Once
	ds     *intelserver.Dataset
	dsErr  error
)

// dataset is 2000 real indicators spread over every source, with related
// objects.
func dataset(t testing.TB) *intelserver.Dataset {
	t.Helper()
	dsOnce.Do(func() {
		ds, dsErr = intelserver.LoadDataset("../testdata/real/indicators.jsonl.gz", intelserver.DatasetOptions{MaxIndicators: 2000})
	})
	if dsErr != nil {
		t.Fatal(dsErr)
	}
	return ds
}

func standIn(t testing.TB, plan intelserver.FaultPlan) (*intelserver.Server, *httptest.Server) {
	t.Helper()
	s := intelserver.New(dataset(t), intelserver.Options{Keys: []string{testKey}, Faults: plan})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func client(t testing.TB, base string, tweak func(*intel.Config)) *intel.Client {
	t.Helper()
	k, err := intel.NewKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := intel.Config{
		BaseURL: base, Key: k, RateLimit: rate.Inf, MaxAttempts: 6,
		Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, ThrottleBackoff: 20 * time.Millisecond,
		RequestTimeout: 5 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := intel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "ind.db")
	}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func restSource(t testing.TB, c *intel.Client, limit int) *ingest.RESTSource {
	t.Helper()
	src, err := ingest.NewRESTSource(c, ingest.RESTOptions{Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// syncOnce runs a sync to the end of the feed and returns its progress and
// the changes it reported.
func syncOnce(t testing.TB, st *store.Store, src ingest.Source) (ingest.Progress, []store.Changes, error) {
	t.Helper()
	var chs []store.Changes
	p, err := ingest.NewSyncer(st, src, ingest.Options{Once: true}).Run(context.Background(), func(c store.Changes) { chs = append(chs, c) })
	return p, chs, err
}

func digest(t testing.TB, st *store.Store) string {
	t.Helper()
	d, err := st.Digest(digestTime)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checkTruth checks that st holds exactly the server's non-revoked
// indicators, byte for byte.
func checkTruth(t testing.TB, st *store.Store, s *intelserver.Server) {
	t.Helper()
	want := s.Indicators()
	n := 0
	err := st.ForEachRaw(func(id string, raw []byte) error {
		n++
		if w, ok := want[id]; !ok || !bytes.Equal(w, raw) {
			t.Errorf("stored %s differs from the server (known %v)", id, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("store has %d indicators, server %d", n, len(want))
	}
}

func newTAXII(t testing.TB, c *intel.Client, limit int) (*ingest.TAXIISource, error) {
	t.Helper()
	src, err := ingest.NewTAXIISource(c, ingest.TAXIIOptions{Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	return src, nil
}

func httptestServer(t testing.TB, s *intelserver.Server) *httptest.Server {
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return hs
}
