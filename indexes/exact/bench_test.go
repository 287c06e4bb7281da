package exact

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/bits-and-blooms/bloom/v3"
	"github.com/indicator-matcher/matcher/indexes/internal/fixture"
)

var benchSizes = []int{10_000, 100_000, 1_000_000}

var (
	scaledMu   sync.Mutex
	scaledKeys = map[int][]fixture.Key{}
	scaledCold [][]byte
)

// keysOfSize returns n distinct keys with the real kind mix (real keys
// first, then mutated ones), built once per process.
func keysOfSize(b *testing.B, n int) []fixture.Key {
	scaledMu.Lock()
	defer scaledMu.Unlock()
	if k, ok := scaledKeys[n]; ok {
		return k
	}
	set, err := realKeys()
	if err != nil {
		b.Fatal(err)
	}
	k := fixture.ScaleKeys(set.Keys, n, 42)
	scaledKeys[n] = k
	return k
}

func buildSet(keys []fixture.Key, gate Gate) *Set {
	b := Builder{Gate: gate}
	for i, k := range keys {
		_ = b.Add(k.Bytes, uint32(i))
		if i%20 == 0 { // 5% of keys have a second id
			_ = b.Add(k.Bytes, uint32(i+1))
		}
	}
	return b.Build()
}

// missProbes returns the observables of the real events that s does not
// hold: the miss-heavy workload of real logs.
func missProbes(b *testing.B, s *Set) [][]byte {
	ev, err := realEvents()
	if err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	for _, k := range ev.Keys {
		if !s.Contains(k.Bytes) {
			out = append(out, k.Bytes)
		}
	}
	return out
}

// coldMissProbes returns 1M distinct absent keys with the real kind mix:
// unlike real events, which repeat the same few thousand values and so stay
// in cache, every probe here touches a new table slot.
func coldMissProbes(b *testing.B, s *Set) [][]byte {
	set, err := realKeys()
	if err != nil {
		b.Fatal(err)
	}
	scaledMu.Lock()
	defer scaledMu.Unlock()
	if scaledCold == nil {
		for _, k := range fixture.ScaleKeys(set.Keys, 1_100_000, 4242)[len(set.Keys):] {
			scaledCold = append(scaledCold, k.Bytes)
		}
	}
	var out [][]byte
	for _, k := range scaledCold {
		if !s.Contains(k) {
			out = append(out, k)
		}
	}
	return out
}

// hitProbes returns a shuffled sample of the set's own keys.
func hitProbes(keys []fixture.Key) [][]byte {
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([][]byte, 100_000)
	for i := range out {
		out[i] = keys[rng.IntN(len(keys))].Bytes
	}
	return out
}

var gateNames = map[Gate]string{GateOff: "nogate", GateOn: "bloom"}

// BenchmarkLookup measures LookupAppend on hits and on misses (real event
// observables) with and without the bloom gate.
func BenchmarkLookup(b *testing.B) {
	for _, n := range append([]int{1000}, benchSizes...) { // 1k: where does the gate start to pay?
		keys := keysOfSize(b, n)
		for _, gate := range []Gate{GateOff, GateOn} {
			s := buildSet(keys, gate)
			for _, kind := range []string{"miss", "coldmiss", "hit"} {
				var probes [][]byte
				switch kind {
				case "miss":
					probes = missProbes(b, s)
				case "coldmiss":
					probes = coldMissProbes(b, s)
				default:
					probes = hitProbes(keys)
				}
				b.Run(fmt.Sprintf("n=%d/%s/%s", n, gateNames[gate], kind), func(b *testing.B) {
					b.ReportAllocs()
					dst := make([]uint32, 0, 16)
					i, found := 0, 0
					for b.Loop() {
						dst = s.LookupAppend(dst[:0], probes[i])
						found += len(dst)
						if i++; i == len(probes) {
							i = 0
						}
					}
					if (kind == "hit") != (found > 0) {
						b.Fatalf("%s probes found %d ids", kind, found)
					}
				})
			}
		}
	}
}

// BenchmarkBloomMurmur measures bloom/v3's own Test(key) path, which hashes
// the key with murmur3 (128-bit) instead of reusing the set's hash: the
// cost the gate would add if it used the library's keyed API.
func BenchmarkBloomMurmur(b *testing.B) {
	for _, n := range benchSizes {
		keys := keysOfSize(b, n)
		f := bloom.NewWithEstimates(uint(n), DefaultGateFPRate)
		for _, k := range keys {
			f.Add(k.Bytes)
		}
		probes := missProbes(b, buildSet(keys, GateOff))
		b.Run(fmt.Sprintf("n=%d/miss", n), func(b *testing.B) {
			b.ReportAllocs()
			i, pass := 0, 0
			for b.Loop() {
				if f.Test(probes[i]) {
					pass++
				}
				if i++; i == len(probes) {
					i = 0
				}
			}
			b.ReportMetric(float64(pass)/float64(b.N), "fp/op")
		})
	}
}

// BenchmarkBuild measures Add+Build per entry and reports the Set's size
// both as estimated by SizeBytes and as measured on the heap.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		keys := keysOfSize(b, n)
		for _, gate := range []Gate{GateOff, GateOn} {
			b.Run(fmt.Sprintf("n=%d/%s", n, gateNames[gate]), func(b *testing.B) {
				b.ReportAllocs()
				before := heapInUse()
				s := buildSet(keys, gate)
				heap := heapInUse() - before
				for b.Loop() {
					buildSet(keys, gate)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/entry")
				b.ReportMetric(float64(s.SizeBytes())/float64(s.Len()), "B/entry")
				b.ReportMetric(float64(heap)/float64(s.Len()), "heapB/entry")
				runtime.KeepAlive(s)
			})
		}
	}
}

// heapInUse returns live heap bytes after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
