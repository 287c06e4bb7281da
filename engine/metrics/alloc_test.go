package metrics

import (
	"fmt"
	"io"
	"sync"
	"testing"
)

// TestZeroAllocs checks the hot path promise: updates and lookups of
// existing vector children allocate nothing.
func TestZeroAllocs(t *testing.T) {
	c := NewCounter("c_total", "")
	g := NewGauge("g", "")
	h := NewHistogram("h", "", LatencyBuckets())
	v1 := NewCounterVec("v1_total", "", "reason")
	v2 := NewGaugeVec("v2", "", "kind", "status")
	v1.With("too_large")
	v2.With("ipv4", "ok")
	reason, kind, status := "too_large", "ipv4", "ok"
	for name, fn := range map[string]func(){
		"Counter.Inc":       func() { c.Inc() },
		"Counter.Add":       func() { c.Add(3) },
		"Gauge.Set":         func() { g.Set(1.5) },
		"Gauge.Add":         func() { g.Add(-0.5) },
		"Histogram.Observe": func() { h.Observe(0.0042) },
		"CounterVec.With":   func() { v1.With(reason).Inc() },
		"GaugeVec.With":     func() { v2.With(kind, status).Inc() },
	} {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
}

// TestConcurrent updates every kind of collector from many goroutines
// while scraping; run with -race. The totals must come out exact.
func TestConcurrent(t *testing.T) {
	r := NewRegistry()
	c := NewCounter("c_total", "")
	g := NewGauge("g", "")
	h := NewHistogram("h", "", []float64{0.5, 1})
	v := NewCounterVec("v_total", "", "reason")
	if err := r.Register(c, g, h, v); err != nil {
		t.Fatal(err)
	}
	const workers, per = 8, 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	scraped := make(chan error, 1)
	go func() {
		for {
			var b bufWriter
			if err := r.WriteText(&b); err != nil {
				scraped <- err
				return
			}
			if _, err := checkText(string(b)); err != nil {
				scraped <- err
				return
			}
			select {
			case <-stop: // after at least one scrape
				scraped <- nil
				return
			default:
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := v.With(fmt.Sprint("r", w%3))
			for i := range per {
				c.Inc()
				g.Add(1)
				h.Observe(float64(i%3) / 2) // 0, 0.5, 1
				mine.Inc()
				v.With(fmt.Sprint("new", i%50)).Inc()
			}
		}()
	}
	// Registering while scraping is allowed too.
	if err := r.Register(NewGaugeFunc("late", "", func() float64 { return float64(c.Value()) })); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(stop)
	if err := <-scraped; err != nil {
		t.Fatal(err)
	}
	total := uint64(workers * per)
	var wantSum float64
	for i := range per {
		wantSum += float64(workers) * float64(i%3) / 2
	}
	if c.Value() != total || g.Value() != float64(total) || h.Count() != total || h.Sum() != wantSum {
		t.Fatalf("counter %d gauge %v histogram %d/%v", c.Value(), g.Value(), h.Count(), h.Sum())
	}
	var sum uint64
	for i := range 3 {
		sum += v.With(fmt.Sprint("r", i)).Value()
	}
	if sum != total {
		t.Fatalf("vector children %d, want %d", sum, total)
	}
}

type bufWriter []byte

func (b *bufWriter) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

var _ io.Writer = (*bufWriter)(nil)
