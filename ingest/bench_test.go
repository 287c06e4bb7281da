package ingest_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"github.com/indicator-matcher/matcher/ingest/store"
	"golang.org/x/time/rate"
)

// BenchmarkSync100k syncs 100,000 indicators (the 83k real ones plus
// synthetic copies) from the stand-in over HTTP into a fresh store, 2000
// per page, with the API's 5 requests/s limit and without a limit.
func BenchmarkSync100k(b *testing.B) {
	ds, err := intelserver.LoadDataset("../testdata/real/indicators.jsonl.gz", intelserver.DatasetOptions{Scale: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	if ds.Indicators() != 100_000 {
		b.Fatalf("%d indicators", ds.Indicators())
	}
	for _, lim := range []rate.Limit{intel.DefaultRateLimit, rate.Inf} {
		name := "rate=unlimited"
		if lim != rate.Inf {
			name = fmt.Sprintf("rate=%grps", float64(lim))
		}
		b.Run(name, func(b *testing.B) {
			srv := intelserver.New(ds, intelserver.Options{Keys: []string{testKey}})
			hs := httptest.NewServer(srv)
			defer hs.Close()
			c := client(b, hs.URL, func(cfg *intel.Config) { cfg.RateLimit = lim })
			b.ResetTimer()
			var total int64
			for i := 0; i < b.N; i++ {
				st, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprint(i, ".db")), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				src, _ := ingest.NewRESTSource(c, ingest.RESTOptions{Limit: 2000})
				p, err := ingest.NewSyncer(st, src, ingest.Options{Once: true}).Run(b.Context(), nil)
				st.Close()
				if err != nil {
					b.Fatal(err)
				}
				if p.Upserted != 100_000 {
					b.Fatalf("%d stored", p.Upserted)
				}
				total += p.Objects
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "indicators/s")
		})
	}
}
