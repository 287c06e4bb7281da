package metrics

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxChildren bounds the label combinations of one CounterVec or
// GaugeVec. Past it, With returns the child whose every label value is
// OverflowValue, so a label fed from unexpected input cannot grow the
// registry without bound.
const MaxChildren = 1000

// OverflowValue is the label value of the child that takes the counts of
// label combinations past MaxChildren.
const OverflowValue = "other"

// child is one series of a vector.
type child[T any] struct {
	labels string // rendered {name="value",…}
	m      *T
}

// vecState is an immutable view of a vector's children, replaced as a
// whole when a child is added, so that With reads it without a lock.
type vecState[T any] struct {
	byKey map[string]*T // raw label values (length-prefixed) → child
	list  []child[T]    // unique children sorted by labels
}

// vec is the label machinery shared by CounterVec and GaugeVec.
type vec[T any] struct {
	name, help string
	labels     []string
	newChild   func(labels string) *T
	state      atomic.Pointer[vecState[T]]
	mu         sync.Mutex // serialises additions
	misuse     atomic.Uint64
	discard    *T // returned for a wrong number of values; never written
}

func (v *vec[T]) init(name, help string, labels []string, newChild func(string) *T) {
	v.name, v.help, v.labels, v.newChild = name, help, slices.Clone(labels), newChild
	v.discard = newChild("")
	v.state.Store(&vecState[T]{byKey: map[string]*T{}})
}

// key encodes label values without ambiguity. It appends to dst, which
// the caller may place on its stack.
func key(dst []byte, values []string) []byte {
	for _, val := range values {
		dst = binary.AppendUvarint(dst, uint64(len(val)))
		dst = append(dst, val...)
	}
	return dst
}

func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labels) {
		v.misuse.Add(1)
		return v.discard
	}
	st := v.state.Load()
	if len(values) == 1 {
		if m, ok := st.byKey[values[0]]; ok { // the common case: no key to build
			return m
		}
	} else {
		var buf [128]byte
		if m, ok := st.byKey[string(key(buf[:0], values))]; ok {
			return m
		}
	}
	return v.add(values)
}

// add creates the child of values, or finds the one another goroutine or
// another spelling (invalid UTF-8 made valid) created first.
func (v *vec[T]) add(values []string) *T {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := v.state.Load()
	raw := v.lookupKey(values)
	if m, ok := st.byKey[raw]; ok {
		return m
	}
	clean := make([]string, len(values))
	for i, val := range values {
		clean[i] = strings.ToValidUTF8(val, "\uFFFD")
		if len(st.list) >= MaxChildren {
			clean[i] = OverflowValue
		}
	}
	cleanKey := v.lookupKey(clean)
	if m, ok := st.byKey[cleanKey]; ok && len(st.list) >= MaxChildren {
		return m // past the bound: the overflow child, and nothing remembered
	}
	next := &vecState[T]{byKey: make(map[string]*T, len(st.byKey)+2), list: st.list}
	for k, m := range st.byKey {
		next.byKey[k] = m
	}
	m, ok := st.byKey[cleanKey]
	if !ok {
		labels := labelString(v.labels, clean)
		m = v.newChild(labels)
		next.byKey[cleanKey] = m
		i, _ := slices.BinarySearchFunc(st.list, labels, func(c child[T], l string) int { return strings.Compare(c.labels, l) })
		next.list = slices.Insert(slices.Clone(st.list), i, child[T]{labels: labels, m: m})
	}
	next.byKey[raw] = m
	v.state.Store(next)
	return m
}

// lookupKey is the byKey key of values: the value itself for one label.
func (v *vec[T]) lookupKey(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return string(key(nil, values))
}

func (v *vec[T]) describe() ([]string, string, error) {
	if err := checkName(v.name); err != nil {
		return nil, "", err
	}
	if len(v.labels) == 0 {
		return nil, "", fmt.Errorf("metrics: %s: a vector needs at least one label", v.name)
	}
	return []string{v.name}, "", checkLabels(v.name, v.labels)
}

func (v *vec[T]) collect(s *scrape, typ string, sample func(b []byte, name, labels string, m *T) []byte) {
	list := v.state.Load().list
	s.add(v.name, v.help, typ, func(b []byte) []byte {
		for _, c := range list {
			b = sample(b, v.name, c.labels, c.m)
		}
		return b
	})
	if n := v.misuse.Load(); n > 0 {
		s.errs = append(s.errs, fmt.Errorf("metrics: %s: With called %d times with a number of values other than %d", v.name, n, len(v.labels)))
	}
}

// CounterVec is a family of counters told apart by the values of a fixed
// set of labels (e.g. reason, kind, status). Safe for concurrent use.
type CounterVec struct{ v vec[Counter] }

// NewCounterVec returns a counter family with the given label names.
func NewCounterVec(name, help string, labels ...string) *CounterVec {
	cv := &CounterVec{}
	cv.v.init(name, help, labels, func(l string) *Counter { return &Counter{name: name, labels: l} })
	return cv
}

// With returns the counter of the label values, given in the order of
// the label names, creating it at 0 the first time. The lookup takes no
// lock and, for an existing child, allocates nothing; keep the result to
// skip even the lookup on a hot path. A wrong number of values returns a
// counter that is never written out (WriteText reports the misuse).
func (cv *CounterVec) With(values ...string) *Counter { return cv.v.with(values) }

func (cv *CounterVec) describe() ([]string, string, error) { return cv.v.describe() }

func (cv *CounterVec) collect(s *scrape) {
	cv.v.collect(s, typeCounter, func(b []byte, name, labels string, c *Counter) []byte {
		return appendSampleUint(b, name, labels, c.Value())
	})
}

// GaugeVec is a family of gauges told apart by the values of a fixed set
// of labels. Safe for concurrent use.
type GaugeVec struct{ v vec[Gauge] }

// NewGaugeVec returns a gauge family with the given label names.
func NewGaugeVec(name, help string, labels ...string) *GaugeVec {
	gv := &GaugeVec{}
	gv.v.init(name, help, labels, func(l string) *Gauge { return &Gauge{name: name, labels: l} })
	return gv
}

// With returns the gauge of the label values; see CounterVec.With.
func (gv *GaugeVec) With(values ...string) *Gauge { return gv.v.with(values) }

func (gv *GaugeVec) describe() ([]string, string, error) { return gv.v.describe() }

func (gv *GaugeVec) collect(s *scrape) {
	gv.v.collect(s, typeGauge, func(b []byte, name, labels string, g *Gauge) []byte {
		return appendSampleFloat(b, name, labels, g.Value())
	})
}
