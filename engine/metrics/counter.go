package metrics

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Counter is a count that only goes up. Inc and Add are one atomic
// addition and never allocate. Safe for concurrent use; the zero value
// counts but has no name, so build one with NewCounter or
// CounterVec.With.
type Counter struct {
	v      atomic.Uint64
	name   string
	help   string
	labels string // rendered label set of a vector child; "" otherwise
}

// NewCounter returns a counter to register. By convention the name ends
// in "_total".
func NewCounter(name, help string) *Counter { return &Counter{name: name, help: help} }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Value returns the current count.
func (c *Counter) Value() uint64 { return c.v.Load() }

func (c *Counter) describe() ([]string, string, error) {
	return []string{c.name}, "", checkName(c.name)
}

func (c *Counter) collect(s *scrape) {
	s.add(c.name, c.help, typeCounter, func(b []byte) []byte {
		return appendSampleUint(b, c.name, "", c.v.Load())
	})
}

// Gauge is a value that goes up and down. Set, Inc and Add are atomic and
// never allocate. Safe for concurrent use; build one with NewGauge or
// GaugeVec.With.
type Gauge struct {
	bits   atomic.Uint64 // math.Float64bits of the value
	name   string
	help   string
	labels string
}

// NewGauge returns a gauge to register, at 0.
func NewGauge(name, help string) *Gauge { return &Gauge{name: name, help: help} }

// Set sets the value.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Add adds d (which may be negative).
func (g *Gauge) Add(d float64) {
	for {
		old := g.bits.Load()
		if g.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

// Inc adds one.
func (g *Gauge) Inc() { g.Add(1) }

// Dec subtracts one.
func (g *Gauge) Dec() { g.Add(-1) }

// Value returns the current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

func (g *Gauge) describe() ([]string, string, error) {
	return []string{g.name}, "", checkName(g.name)
}

func (g *Gauge) collect(s *scrape) {
	s.add(g.name, g.help, typeGauge, func(b []byte) []byte {
		return appendSampleFloat(b, g.name, "", g.Value())
	})
}

// funcMetric is a single series whose value a callback gives at scrape
// time.
type funcMetric struct {
	name, help, typ string
	fn              func() float64
}

func (f *funcMetric) describe() ([]string, string, error) {
	if f.fn == nil {
		return nil, "", fmt.Errorf("metrics: %s: nil function", f.name)
	}
	return []string{f.name}, "", checkName(f.name)
}

func (f *funcMetric) collect(s *scrape) {
	v := f.fn()
	s.add(f.name, f.help, f.typ, func(b []byte) []byte {
		return appendSampleFloat(b, f.name, "", v)
	})
}

// GaugeFunc is a gauge read from a callback at every scrape, e.g. the
// size, age or generation of the current snapshot. The callback runs on
// the scraping goroutine and must be safe to call concurrently with the
// rest of the program.
type GaugeFunc struct{ funcMetric }

// NewGaugeFunc returns a gauge whose value is fn().
func NewGaugeFunc(name, help string, fn func() float64) *GaugeFunc {
	return &GaugeFunc{funcMetric{name: name, help: help, typ: typeGauge, fn: fn}}
}

// CounterFunc is a counter kept elsewhere and read from a callback at
// every scrape. fn must never go down except on a restart.
type CounterFunc struct{ funcMetric }

// NewCounterFunc returns a counter whose value is fn().
func NewCounterFunc(name, help string, fn func() float64) *CounterFunc {
	return &CounterFunc{funcMetric{name: name, help: help, typ: typeCounter, fn: fn}}
}
