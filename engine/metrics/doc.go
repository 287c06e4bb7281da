// Package metrics is a small Prometheus registry that writes the text
// exposition format, version 0.0.4.
//
// Why not prometheus/client_golang: the matcher needs a dozen series and
// one scrape endpoint. This package is a few hundred lines of the
// standard library, has no global default registry (each Registry is an
// explicit value, so tests and several engines in one process never
// collide), and its hot-path operations (Counter.Inc, Counter.Add,
// Gauge.Set, Histogram.Observe) are single atomic operations that never
// allocate, which the tests check. client_golang would bring a dependency
// tree (protobuf, client_model, procfs) for features the matcher does not
// use.
//
// Collectors:
//
//   - Counter and Gauge: one series each, updated atomically.
//   - CounterVec and GaugeVec: one series per combination of label values
//     from a small fixed set of label names. With returns the child for
//     some values; keep it and the hot path is a plain Counter or Gauge.
//   - Histogram: fixed buckets, one atomic counter per bucket.
//   - CounterFunc and GaugeFunc: a callback read at scrape time (snapshot
//     size, age and generation; counters kept elsewhere).
//   - CollectorFunc: a callback returning arbitrary "name{labels}" samples
//     under a reserved name prefix (e.g. enrich.Stats().Counters()).
//
// A Registry checks names when a collector is registered (the valid
// syntax, no duplicates, a histogram's _bucket, _sum and _count series
// included) and writes families sorted by name with their HELP and TYPE
// lines and escaped label values.
//
// Every type is safe for concurrent use. Constructors do not fail; an
// invalid name, label or bucket list is reported by Registry.Register.
package metrics
