package substr

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/indicator-matcher/matcher/indexes/internal/fixture"
)

// Sizes: 1k, 10k, 100k and, for the flat backend, 1M fragments. The
// cloudflare automaton costs 4168 bytes per fragment byte (measured:
// heapB/fragbyte), so 1M fragments of the recommended <= 12-byte windows
// (8 bytes on average here) would need ~35 GB, and 1M whole literals
// (~25 bytes) ~100 GB, both beyond a 24 GiB machine: it stops at 100k
// (whole literals at 10k). The flat backend builds 1M windows in about 5 s
// and 860 MB.
var benchSizes = []int{1_000, 10_000, 100_000, 1_000_000}

// sizesFor returns the sizes a backend is measured at.
func sizesFor(be Backend, shape string) []int {
	switch {
	case be == BackendCloudflare && shape == "whole":
		return benchSizes[:2]
	case be == BackendCloudflare, shape == "whole":
		return benchSizes[:3] // flat, 1M whole literals: 4.7 GB and a minute to build
	}
	return benchSizes
}

// shapes: "win12" are windows of 4..12 bytes of real literals (what the
// engine should index); "whole" are whole literals (domains, URLs, LIKE
// text), measured only up to 10k because of their size.
var shapes = map[string]int{"win12": 12, "whole": 0}

var (
	fragMu sync.Mutex
	frags  = map[string][][]byte{}
)

func fragmentsOf(b *testing.B, shape string, n int) [][]byte {
	fragMu.Lock()
	defer fragMu.Unlock()
	key := fmt.Sprint(shape, n)
	if f, ok := frags[key]; ok {
		return f
	}
	set, err := realSet()
	if err != nil {
		b.Fatal(err)
	}
	f := fixture.Fragments(set.Literals, n, shapes[shape], 42)
	frags[key] = f
	return f
}

func buildMatcher(b *testing.B, fr [][]byte, fold bool, be Backend) *Matcher {
	bld := Builder{FoldCase: fold, MaxBytes: -1, Backend: be}
	for i, f := range fr {
		if err := bld.Add(f, uint32(i)); err != nil {
			b.Fatal(err)
		}
	}
	m, err := bld.Build()
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkBuild reports build time and heap per fragment and per
// fragment byte. Run with -benchtime=1x: the 100k build takes tens of
// seconds and gigabytes.
func BenchmarkBuild(b *testing.B) {
	for _, be := range backends {
		for _, shape := range []string{"win12", "whole"} {
			for _, n := range sizesFor(be, shape) {
				fr := fragmentsOf(b, shape, n)
				total := 0
				for _, f := range fr {
					total += len(f)
				}
				b.Run(fmt.Sprintf("%s/%s/n=%d", be, shape, n), func(b *testing.B) {
					var heap int64
					var m *Matcher
					for b.Loop() {
						m = nil
						b.StopTimer()
						before := heapAlloc()
						b.StartTimer()
						m = buildMatcher(b, fr, false, be)
						b.StopTimer()
						heap = heapAlloc() - before
						b.StartTimer()
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/entry")
					b.ReportMetric(float64(heap)/float64(n), "heapB/entry")
					b.ReportMetric(float64(heap)/float64(total), "heapB/fragbyte")
					b.ReportMetric(float64(total)/float64(n), "fragbytes/entry")
					b.ReportMetric(float64(m.SizeBytes())/float64(heap), "estimate/heap")
					runtime.KeepAlive(m)
				})
			}
		}
	}
}

// BenchmarkMatch scans real event strings (distinct values, ~60k):
//   - miss: the strings that contain no fragment (the prefilter's common case);
//   - hit: the same strings with a fragment of the set appended;
//   - fold: miss strings through a case-insensitive Matcher.
func BenchmarkMatch(b *testing.B) {
	ev, err := realEvents()
	if err != nil {
		b.Fatal(err)
	}
	all := distinct(ev.Haystacks)
	for _, be := range backends {
		for _, n := range sizesFor(be, "win12") {
			fr := fragmentsOf(b, "win12", n)
			m := buildMatcher(b, fr, false, be)
			mf := buildMatcher(b, fr, true, be)
			var miss, hit [][]byte
			for i, h := range all {
				if !m.Contains(h) && !mf.Contains(h) {
					miss = append(miss, h)
					hit = append(hit, append(append([]byte(nil), h...), fr[i%len(fr)]...))
				}
			}
			for _, kind := range []string{"miss", "hit", "fold"} {
				hs, mm := miss, m
				switch kind {
				case "hit":
					hs = hit
				case "fold":
					mm = mf
				}
				bytes := 0
				for _, h := range hs {
					bytes += len(h)
				}
				b.Run(fmt.Sprintf("%s/n=%d/%s", be, n, kind), func(b *testing.B) {
					b.ReportAllocs()
					b.SetBytes(int64(bytes / len(hs)))
					dst := make([]uint32, 0, 64)
					i, found := 0, 0
					for b.Loop() {
						dst = mm.MatchAppend(dst[:0], hs[i])
						found += len(dst)
						if i++; i == len(hs) {
							i = 0
						}
					}
					if (kind == "hit") != (found > 0) {
						b.Fatalf("%s: found %d", kind, found)
					}
					b.ReportMetric(float64(len(miss))/float64(len(all)), "missshare")
				})
			}
			runtime.KeepAlive(m)
		}
	}
}
