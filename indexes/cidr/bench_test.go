package cidr

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"testing"

	"github.com/indicator-matcher/matcher/indexes/internal/fixture"
)

var benchSizes = []int{10_000, 100_000, 1_000_000}

var (
	scaledMu sync.Mutex
	scaled   = map[int][]netip.Prefix{}
)

// prefixesOfSize returns n distinct prefixes: the real ones, then copies
// with the same length and first octet and random remaining bits.
func prefixesOfSize(b *testing.B, n int) []netip.Prefix {
	scaledMu.Lock()
	defer scaledMu.Unlock()
	if p, ok := scaled[n]; ok {
		return p
	}
	set, err := realSet()
	if err != nil {
		b.Fatal(err)
	}
	p := fixture.ScalePrefixes(set.Prefixes, n, 42)
	scaled[n] = p
	return p
}

var backendNames = map[Backend]string{BackendFlat: "flat", BackendRanger: "cidranger"}

func buildSet(b *testing.B, be Backend, ps []netip.Prefix) *Set {
	bld := Builder{Backend: be}
	for i, p := range ps {
		if err := bld.Add(p, uint32(i)); err != nil {
			b.Fatal(err)
		}
	}
	s, err := bld.Build()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// probes returns the lookup workload of one kind:
//   - events: every address of the real events, as they come (with the
//     benign RFC 1918 and cloud ranges in the set, most of them hit);
//   - miss: the real event addresses that no prefix contains;
//   - randmiss: uniformly random IPv4 addresses that no prefix contains;
//   - hit: random addresses inside random prefixes of the set.
func probes(b *testing.B, s *Set, ps []netip.Prefix, kind string) []netip.Addr {
	ev, err := realEvents()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	var out []netip.Addr
	switch kind {
	case "events":
		out = ev.Addrs
	case "miss":
		for _, a := range ev.Addrs {
			if !s.Contains(a) {
				out = append(out, a)
			}
		}
	case "randmiss":
		for len(out) < 100_000 {
			a := netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
			if !s.Contains(a) {
				out = append(out, a)
			}
		}
	case "hit":
		for range 100_000 {
			p := ps[rng.IntN(len(ps))]
			b := p.Addr().AsSlice()
			for i := p.Bits() / 8; i < len(b); i++ {
				b[i] |= byte(rng.Uint32()) & (0xff >> max(0, p.Bits()-8*i))
			}
			a, _ := netip.AddrFromSlice(b)
			out = append(out, a)
		}
	}
	return out
}

// BenchmarkLookup measures LookupAppend per address.
func BenchmarkLookup(b *testing.B) {
	for _, n := range benchSizes {
		ps := prefixesOfSize(b, n)
		for _, be := range []Backend{BackendFlat, BackendRanger} {
			s := buildSet(b, be, ps)
			for _, kind := range []string{"miss", "randmiss", "hit", "events"} {
				addrs := probes(b, s, ps, kind)
				b.Run(fmt.Sprintf("n=%d/%s/%s", n, backendNames[be], kind), func(b *testing.B) {
					b.ReportAllocs()
					dst := make([]uint32, 0, 64)
					i, found, gated := 0, 0, 0
					for b.Loop() {
						a := addrs[i]
						dst = s.LookupAppend(dst[:0], a)
						found += len(dst)
						if i++; i == len(addrs) {
							i = 0
						}
					}
					for _, a := range addrs {
						if !s.gate.mayContain(a.Unmap()) {
							gated++
						}
					}
					if kind == "hit" && found == 0 || kind == "miss" && found > 0 {
						b.Fatalf("%s: found %d", kind, found)
					}
					b.ReportMetric(float64(gated)/float64(len(addrs)), "gated/op")
					b.ReportMetric(float64(found)/float64(b.N), "ids/op")
				})
			}
		}
	}
}

// BenchmarkBuild measures Add+Build per prefix and the heap held per
// prefix.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		ps := prefixesOfSize(b, n)
		for _, be := range []Backend{BackendFlat, BackendRanger} {
			b.Run(fmt.Sprintf("n=%d/%s", n, backendNames[be]), func(b *testing.B) {
				b.ReportAllocs()
				before := heapInUse()
				s := buildSet(b, be, ps)
				heap := heapInUse() - before
				for b.Loop() {
					buildSet(b, be, ps)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/entry")
				b.ReportMetric(float64(heap)/float64(s.Len()), "heapB/entry")
				b.ReportMetric(float64(s.SizeBytes())/float64(s.Len()), "B/entry")
				runtime.KeepAlive(s)
			})
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
