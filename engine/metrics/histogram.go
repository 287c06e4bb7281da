package metrics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// Histogram counts observations in fixed buckets, e.g. event-to-alert
// latency in seconds. Observe does a binary search over the bounds and
// two atomic updates (the bucket, then the sum); it takes no lock and
// never allocates. Safe for concurrent use.
//
// A scrape reads the buckets one by one while observations go on, so it
// may see an observation in a bucket but not yet in the sum; _count is
// always the total of the buckets, as the format requires.
type Histogram struct {
	name, help string
	upper      []float64       // bucket upper bounds, increasing, without +Inf
	counts     []atomic.Uint64 // len(upper)+1; the last is (upper[len-1], +Inf]
	sum        atomic.Uint64   // math.Float64bits
	err        error
}

// NewHistogram returns a histogram with the given bucket upper bounds,
// which must be finite and strictly increasing; a final +Inf is implied
// (and dropped if given). Register reports a bad list.
func NewHistogram(name, help string, buckets []float64) *Histogram {
	upper := slices.Clone(buckets)
	if n := len(upper); n > 0 && math.IsInf(upper[n-1], 1) {
		upper = upper[:n-1]
	}
	h := &Histogram{name: name, help: help, upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
	for i, u := range upper {
		if math.IsNaN(u) || math.IsInf(u, 0) || i > 0 && u <= upper[i-1] {
			h.err = fmt.Errorf("metrics: %s: buckets must be finite and strictly increasing, got %v", name, buckets)
			break
		}
	}
	return h
}

// LatencyBuckets returns bounds in seconds from 100µs to 10s, suited to
// the time from an event's arrival to its alert.
func LatencyBuckets() []float64 {
	return []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

// ExponentialBuckets returns n bounds: start, start*factor, ….
// It returns nil for n < 1, start <= 0 or factor <= 1.
func ExponentialBuckets(start, factor float64, n int) []float64 {
	if n < 1 || start <= 0 || factor <= 1 {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = start
		start *= factor
	}
	return out
}

// Observe records v. NaN is ignored.
func (h *Histogram) Observe(v float64) {
	if v != v {
		return
	}
	// The first bucket whose bound is >= v.
	lo, hi := 0, len(h.upper)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if h.upper[mid] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	h.counts[lo].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// ObserveDuration records d in seconds.
func (h *Histogram) ObserveDuration(d time.Duration) { h.Observe(d.Seconds()) }

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Sum returns the sum of the observations.
func (h *Histogram) Sum() float64 { return math.Float64frombits(h.sum.Load()) }

func (h *Histogram) describe() ([]string, string, error) {
	if err := checkName(h.name); err != nil {
		return nil, "", err
	}
	return []string{h.name, h.name + "_bucket", h.name + "_sum", h.name + "_count"}, "", h.err
}

func (h *Histogram) collect(s *scrape) {
	s.add(h.name, h.help, typeHistogram, func(b []byte) []byte {
		bucket := h.name + "_bucket"
		var cum uint64
		for i := range h.counts {
			cum += h.counts[i].Load()
			b = append(b, bucket...)
			b = append(b, `{le="`...)
			if i < len(h.upper) {
				b = strconv.AppendFloat(b, h.upper[i], 'g', -1, 64)
			} else {
				b = append(b, "+Inf"...)
			}
			b = append(b, `"} `...)
			b = strconv.AppendUint(b, cum, 10)
			b = append(b, '\n')
		}
		b = appendSampleFloat(b, h.name+"_sum", "", h.Sum())
		return appendSampleUint(b, h.name+"_count", "", cum)
	})
}

// Quantile estimates the q-quantile (0 < q <= 1) of the observations: the
// upper bound of the bucket that holds it, +Inf past the last bound, and
// 0 when there is no observation.
func (h *Histogram) Quantile(q float64) float64 {
	var total uint64
	counts := make([]uint64, len(h.counts))
	for i := range h.counts {
		counts[i] = h.counts[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	target := uint64(math.Ceil(q * float64(total)))
	var cum uint64
	for i, c := range counts {
		cum += c
		if cum >= target {
			if i < len(h.upper) {
				return h.upper[i]
			}
			break
		}
	}
	return math.Inf(1)
}
