package pipeline

import (
	"math"
	"sync/atomic"
)

// HistogramBuckets are the upper bounds, in seconds, of Histogram buckets:
// from 100 µs to 10 minutes.
var HistogramBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600}

// Histogram counts observations in fixed buckets with atomics. The zero
// value is ready to use and safe for concurrent use.
type Histogram struct {
	counts [len(HistogramBuckets) + 1]atomic.Uint64 // last: +Inf
	sum    atomic.Uint64                             // float64 bits
	n      atomic.Uint64
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	i := 0
	for i < len(HistogramBuckets) && v > HistogramBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.n.Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Snapshot returns the cumulative bucket counts (one per bound, then
// +Inf), the sum and the count.
func (h *Histogram) Snapshot() (cumulative []uint64, sum float64, count uint64) {
	cumulative = make([]uint64, len(h.counts))
	var c uint64
	for i := range h.counts {
		c += h.counts[i].Load()
		cumulative[i] = c
	}
	return cumulative, math.Float64frombits(h.sum.Load()), h.n.Load()
}

// Quantile estimates the q-quantile from the buckets (the upper bound of
// the bucket holding it).
func (h *Histogram) Quantile(q float64) float64 {
	cum, _, n := h.Snapshot()
	if n == 0 {
		return 0
	}
	target := uint64(math.Ceil(q * float64(n)))
	for i, c := range cum {
		if c >= target {
			if i < len(HistogramBuckets) {
				return HistogramBuckets[i]
			}
			return math.Inf(1)
		}
	}
	return math.Inf(1)
}
