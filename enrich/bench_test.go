package enrich

import (
	"context"
	"fmt"
	"testing"
)

// cachedEnricher holds n digests of the URL example under n ids.
func cachedEnricher(tb testing.TB, n int) (*Enricher, []string) {
	tb.Helper()
	b := contextBundles(tb, "indicators-context-url.xsoar.json")[0]
	d, err := Build(context.Background(), b, "", nil, BuildOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	e := newEnricher(tb, &fakeClient{}, Options{MaxEntries: n})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", i)
		e.digests.add(ids[i], d, e.opts.TTL)
	}
	return e, ids
}

// The hot path on a cached indicator allocates nothing.
func TestAwaitCachedAllocs(t *testing.T) {
	e, ids := cachedEnricher(t, 16)
	ctx := context.Background()
	e.Await(ctx, ids[0], "a", 0) // the first hit records the id
	if n := testing.AllocsPerRun(1000, func() {
		if r := e.Await(ctx, ids[0], "a", 0); r.Status != StatusEnriched {
			t.Fatal(r.Status)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per cached Await", n)
	}
}

// BenchmarkAwaitCached is the hot-path cost of a hit whose digest is
// cached, from parallel goroutines.
func BenchmarkAwaitCached(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run(fmt.Sprint("ids=", n), func(b *testing.B) {
			e, ids := cachedEnricher(b, n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					e.Await(ctx, ids[i%len(ids)], "", 0)
					i++
				}
			})
		})
	}
}

// BenchmarkAwaitMissDropped is the hot-path cost of a miss that cannot
// even be queued (the queue is full): what the pipeline pays at worst
// while the API is slow.
func BenchmarkAwaitMissDropped(b *testing.B) {
	f := newBlocking(nil, nil)
	e := newEnricher(b, f.client(), Options{Workers: 1, QueueSize: 1})
	e.Request("indicator--busy")
	<-f.entered
	e.Request("indicator--queued")
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Await(ctx, ids[i%len(ids)], "", -1)
	}
	b.StopTimer()
	close(f.release)
}
