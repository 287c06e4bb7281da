package metrics

import (
	"io"
	"strconv"
	"testing"
)

func BenchmarkCounterInc(b *testing.B) {
	c := NewCounter("c_total", "")
	b.ReportAllocs()
	for b.Loop() {
		c.Inc()
	}
}

func BenchmarkCounterIncParallel(b *testing.B) {
	c := NewCounter("c_total", "")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkGaugeAdd(b *testing.B) {
	g := NewGauge("g", "")
	b.ReportAllocs()
	for b.Loop() {
		g.Add(1)
	}
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := NewHistogram("h", "", LatencyBuckets())
	b.ReportAllocs()
	v := 0.0
	for b.Loop() {
		h.Observe(v)
		if v += 0.0007; v > 12 {
			v = 0
		}
	}
}

func BenchmarkHistogramObserveParallel(b *testing.B) {
	h := NewHistogram("h", "", LatencyBuckets())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		v := 0.0
		for pb.Next() {
			h.Observe(v)
			if v += 0.0007; v > 12 {
				v = 0
			}
		}
	})
}

func BenchmarkVecWith(b *testing.B) {
	one := NewCounterVec("v_total", "", "reason")
	two := NewCounterVec("w_total", "", "kind", "status")
	for i := range 20 {
		one.With("r" + strconv.Itoa(i))
		two.With("k"+strconv.Itoa(i), "ok")
	}
	b.Run("labels=1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			one.With("r7").Inc()
		}
	})
	b.Run("labels=2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			two.With("k7", "ok").Inc()
		}
	})
}

// BenchmarkWriteText is one scrape of a registry the size of the
// matcher's: a few dozen series and a histogram.
func BenchmarkWriteText(b *testing.B) {
	r := NewRegistry()
	v := NewCounterVec("dead_total", "", "reason")
	for i := range 20 {
		v.With("reason" + strconv.Itoa(i)).Inc()
	}
	ext := map[string]float64{}
	for i := range 20 {
		ext["ext_m"+strconv.Itoa(i)+"_total"] = float64(i)
	}
	if err := r.Register(v, NewCounter("in_total", ""), NewGauge("lag", ""), NewHistogram("lat", "", LatencyBuckets()),
		NewCollectorFunc("ext_", "", func() map[string]float64 { return ext })); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
