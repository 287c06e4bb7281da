package exact

import (
	"math/bits"
	"unsafe"

	"github.com/bits-and-blooms/bloom/v3"
)

// Gate selects whether a Set puts a bloom filter in front of its table.
type Gate uint8

const (
	// GateAuto builds the filter for sets of at least GateAutoMinKeys
	// distinct keys. Measured on a miss-heavy workload (medians of 3 runs,
	// bench/results-indexes.md), a miss with / without the gate costs:
	// real event values (which repeat and stay in cache) 28/32 ns at 1k
	// keys, 30/32 at 10k, 35/33 at 100k, 30/30 at 1M; distinct absent keys
	// 32/42, 36/46, 49/64, 53/90 ns. A hit pays for it: 48/40, 56/50,
	// 117/78, 215/108 ns. Since nearly every lookup misses, the gate is
	// kept from the smallest measured size on.
	GateAuto Gate = iota
	// GateOff never builds a filter.
	GateOff
	// GateOn always builds a filter (for a non-empty set).
	GateOn
)

// GateAutoMinKeys is the size from which GateAuto builds the filter.
const GateAutoMinKeys = 1_000

// DefaultGateFPRate is the filter's false-positive rate when
// Builder.GateFPRate is zero.
const DefaultGateFPRate = 0.01

// maxGateK bounds the number of probed bits (a 1e-5 rate needs 17).
const maxGateK = 16

func (g Gate) enabled(keys int) bool {
	switch {
	case keys == 0 || g == GateOff:
		return false
	case g == GateOn:
		return true
	default:
		return keys >= GateAutoMinKeys
	}
}

// gate is a bloom filter (github.com/bits-and-blooms/bloom/v3) keyed by the
// Set's own 64-bit maphash value, so a lookup hashes its key once.
// bloom/v3's Test(key) would hash the key a second time with its 128-bit
// murmur (measured: BenchmarkBloomMurmur), and its TestLocations reduces
// every location with a 64-bit modulo. Here the filter's size is a power of
// two, locations come from double hashing and are masked, and the bits are
// read through the filter's bitset: no second hash, no division, no
// allocation.
type gate struct {
	f    *bloom.BloomFilter
	mask uint64
	k    uint
}

// locations fills locs with the k bit positions of hash h (Kirsch and
// Mitzenmacher double hashing), before masking to the filter's size.
func locations(locs *[maxGateK]uint64, h uint64, k uint) {
	h2 := bits.RotateLeft64(h, 32)*0x9e3779b97f4a7c15 | 1
	for i := range k {
		locs[i] = h + uint64(i)*h2
	}
}

func (g *gate) test(h uint64) bool {
	var locs [maxGateK]uint64
	locations(&locs, h, g.k)
	bs := g.f.BitSet()
	for _, l := range locs[:g.k] {
		if !bs.Test(uint(l & g.mask)) {
			return false
		}
	}
	return true
}

func (g *gate) sizeBytes() int {
	return int(unsafe.Sizeof(*g)) + int(g.f.Cap()+7)/8
}

// gateBuilder fills a filter during Build; its zero value is a disabled
// gate whose methods do nothing.
type gateBuilder struct{ g *gate }

func newGateBuilder(keys int, fp float64) gateBuilder {
	if fp <= 0 || fp >= 1 {
		fp = DefaultGateFPRate
	}
	m, k := bloom.EstimateParameters(uint(keys), fp)
	k = min(max(k, 1), maxGateK)
	m = max(64, uint(1)<<bits.Len(m-1)) // round up to a power of two
	return gateBuilder{&gate{f: bloom.New(m, k), mask: uint64(m - 1), k: k}}
}

func (gb gateBuilder) add(h uint64) {
	if gb.g == nil {
		return
	}
	var locs [maxGateK]uint64
	locations(&locs, h, gb.g.k)
	for _, l := range locs[:gb.g.k] {
		gb.g.f.BitSet().Set(uint(l & gb.g.mask))
	}
}

func (gb gateBuilder) build() *gate { return gb.g }
