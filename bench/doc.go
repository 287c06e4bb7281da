// Package bench measures the matcher the way users run it: `matcher
// bench` and `make bench` call Run, which builds indicator sets of the
// requested sizes from the real data (bench/gen), makes the workloads
// (generated events of several schemas with planted hits, and the real
// Zeek logs replayed), and measures side by side on the same events:
//
//  1. the parse-only ceiling: the product's extraction, no matching;
//  2. the in-process match path: pipeline.Processor (extraction,
//     matching, alert building);
//  3. end to end: a publisher process, the `matcher run` process and the
//     NATS server of this process, with the raw NATS ceiling (the same
//     publisher and a receiver that only counts) beside it, and the
//     event-to-alert latency at half the maximum rate;
//  4. a naive baseline (Naive): encoding/json into map[string]any, Go map
//     look-ups, a linear CIDR scan.
//
// It also measures compile time, snapshot size, update latency and
// memory, and reports everything as Markdown with an SVG chart (Report),
// optionally rewriting its section of bench/RESULTS.md.
//
// Publish and Sink are the child processes of stage 3 (`matcher bench
// publish`, `matcher bench sink`).
//
// Run is not safe for concurrent use (it reads the process's memory
// statistics and CPU time); Naive is safe for concurrent use.
package bench
