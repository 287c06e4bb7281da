// Package snapshot holds the compiled indicator set the matcher reads: an
// immutable Snapshot of exact, CIDR and substring indexes over the plans of
// every indicator, and the Engine that publishes new snapshots as the
// indicator set changes.
//
// Build, freeze, swap: a Builder compiles indicators into a segment and
// collects a diagnostic for each one it cannot use; the resulting Snapshot
// never changes. The Engine publishes snapshots through an atomic pointer,
// so the match path does one Load per event and takes no lock, and never
// waits for a rebuild. Updates (added, modified, revoked or expired
// indicators) are applied by building a small delta segment and marking
// the replaced base plans dead; when the delta grows, a background merge
// rebuilds the base from the indicator source and swaps it in.
//
// A Snapshot is safe for concurrent use by any number of goroutines. Each
// matching goroutine owns a Scratch, which makes steady-state matching
// allocation-free on the miss path.
package snapshot
