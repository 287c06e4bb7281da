package metrics

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// ContentType is the media type of the text WriteText produces.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Collector is anything a Registry can hold: the types of this package.
// The interface is closed; CollectorFunc adapts other sources.
type Collector interface {
	// describe returns the metric names the collector writes (all of
	// them, including a histogram's _bucket, _sum and _count), or a name
	// prefix it owns, and any problem with its definition.
	describe() (names []string, prefix string, err error)
	// collect appends the collector's families to s.
	collect(s *scrape)
}

// Registry holds collectors and writes them in the text format. The zero
// value is an empty registry ready for use. It is safe for concurrent use;
// collectors may be registered while another goroutine scrapes.
type Registry struct {
	mu         sync.Mutex
	collectors []Collector
	names      map[string]bool // every name written by a registered collector
	prefixes   []string        // prefixes owned by CollectorFuncs
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Register adds collectors. It checks each one (metric and label names,
// buckets) and refuses a name that another collector already writes, or
// that falls under a prefix a CollectorFunc owns. Nothing is registered
// when an error is returned.
func (r *Registry) Register(cs ...Collector) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := map[string]bool{}
	var prefixes []string
	taken := func(n string) error {
		if r.names[n] || names[n] {
			return fmt.Errorf("metrics: %s registered twice", n)
		}
		for _, p := range append(slices.Clip(r.prefixes), prefixes...) {
			if strings.HasPrefix(n, p) {
				return fmt.Errorf("metrics: %s is under the prefix %q of a CollectorFunc", n, p)
			}
		}
		return nil
	}
	for _, c := range cs {
		if c == nil {
			return errors.New("metrics: nil collector")
		}
		ns, prefix, err := c.describe()
		if err != nil {
			return err
		}
		for _, n := range ns {
			if err := taken(n); err != nil {
				return err
			}
			names[n] = true
		}
		if prefix != "" {
			for _, p := range append(slices.Clip(r.prefixes), prefixes...) {
				if strings.HasPrefix(prefix, p) || strings.HasPrefix(p, prefix) {
					return fmt.Errorf("metrics: prefix %q overlaps prefix %q", prefix, p)
				}
			}
			for n := range r.names {
				if strings.HasPrefix(n, prefix) {
					return fmt.Errorf("metrics: prefix %q covers the registered %s", prefix, n)
				}
			}
			for n := range names {
				if strings.HasPrefix(n, prefix) {
					return fmt.Errorf("metrics: prefix %q covers %s", prefix, n)
				}
			}
			prefixes = append(prefixes, prefix)
		}
	}
	if r.names == nil {
		r.names = map[string]bool{}
	}
	for n := range names {
		r.names[n] = true
	}
	r.prefixes = append(r.prefixes, prefixes...)
	r.collectors = append(r.collectors, cs...)
	return nil
}

// WriteText writes every registered collector in the text exposition
// format 0.0.4: families sorted by name, each with its HELP and TYPE
// lines, series sorted by labels. Callbacks (the Func collectors) run
// during the call, without the registry's lock held.
//
// A sample a CollectorFunc returns that cannot be written (a bad name or
// label syntax, a name outside its prefix) is left out; WriteText still
// writes everything else and then returns an error naming the skipped
// samples. The other error is w's.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	cs := slices.Clone(r.collectors)
	r.mu.Unlock()
	var s scrape
	for _, c := range cs {
		c.collect(&s)
	}
	slices.SortStableFunc(s.fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	out := make([]byte, 0, len(s.buf)+len(s.fams)*96)
	for _, f := range s.fams {
		out = append(out, "# HELP "...)
		out = append(out, f.name...)
		out = append(out, ' ')
		out = appendHelp(out, f.help)
		out = append(out, "\n# TYPE "...)
		out = append(out, f.name...)
		out = append(out, ' ')
		out = append(out, f.typ...)
		out = append(out, '\n')
		out = append(out, s.buf[f.start:f.end]...)
	}
	_, err := w.Write(out)
	return errors.Join(err, errors.Join(s.errs...))
}

// Metric types as the TYPE line writes them.
const (
	typeCounter   = "counter"
	typeGauge     = "gauge"
	typeHistogram = "histogram"
)

// scrape accumulates the families of one WriteText.
type scrape struct {
	buf  []byte   // sample lines of every family, back to back
	fams []family // in collection order; sorted before writing
	errs []error
}

// family is one metric family: its sample lines are buf[start:end].
type family struct {
	name, help, typ string
	start, end      int
}

// add appends a family whose lines fn appends to the buffer.
func (s *scrape) add(name, help, typ string, fn func(b []byte) []byte) {
	start := len(s.buf)
	s.buf = fn(s.buf)
	s.fams = append(s.fams, family{name: name, help: help, typ: typ, start: start, end: len(s.buf)})
}
