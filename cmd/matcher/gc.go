package main

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// GC percentage bounds of the policy: never so low that collections run
// back to back, never so high that a small heap grows tenfold.
const (
	defaultGCPercent = 100 // Go's default (GOGC=100)
	maxGCPercent     = 1000
	minGCPercent     = 10
)

// gcPercentFor is the GC percentage that lets at most runway bytes of
// garbage accumulate over a live heap of live bytes, within
// [minGCPercent, maxGCPercent].
func gcPercentFor(live, runway uint64) int {
	if live == 0 {
		return defaultGCPercent
	}
	p := runway / max(live/100, 1)
	return int(min(max(p, minGCPercent), maxGCPercent))
}

// gcPolicy sets the garbage collector's percentage of `matcher run`
// (runtime.gc_runway, docs/config.md). While the heap is mostly the
// compiled indicators, which are pointer-free and cheap to mark, a
// collection follows runway bytes of garbage, whatever the heap's size:
// with a large heap the sweep after it stays short, and a small heap is
// not collected every few megabytes. While a backlog of messages waits in
// the subscriptions (at least runway bytes), collections mostly mark that
// backlog, and the policy goes back to Go's default until the backlog is
// under a quarter of the runway again. Its methods are called from one
// goroutine.
type gcPolicy struct {
	runway  uint64
	tuned   int // the percentage for the indicators' heap
	current int
	orig    int // the percentage before the policy, restored by stop

	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine of start returns
}

// newGCPolicy collects once, reads the live heap (mostly the compiled
// indicators) and sets the tuned percentage. It returns nil, changing
// nothing, when runway is 0 or when GOGC is set in the environment, which
// then decides.
func newGCPolicy(runway uint64, log *slog.Logger) *gcPolicy {
	if runway == 0 {
		return nil
	}
	if v, ok := os.LookupEnv("GOGC"); ok {
		log.Info("garbage collection left to GOGC", "GOGC", v)
		return nil
	}
	runtime.GC()
	live := liveHeap()
	p := &gcPolicy{runway: runway, tuned: gcPercentFor(live, runway)}
	p.orig = debug.SetGCPercent(p.tuned)
	p.current = p.tuned
	log.Info("garbage collection tuned", "live_heap_mib", live>>20, "gc_percent", p.tuned, "gc_runway_mib", runway>>20)
	return p
}

// percentFor is the percentage for a backlog of the given bytes.
func (p *gcPolicy) percentFor(backlog uint64) int {
	switch {
	case backlog >= p.runway:
		return defaultGCPercent
	case backlog < p.runway/4:
		return p.tuned
	}
	return p.current
}

func (p *gcPolicy) set(percent int) {
	if percent != p.current {
		debug.SetGCPercent(percent)
		p.current = percent
	}
}

// start follows the backlog every interval in a goroutine, until stop.
// backlog reports the bytes waiting in the subscriptions.
func (p *gcPolicy) start(interval time.Duration, backlog func() (msgs, bytes int)) {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		p.run(ctx, interval, backlog)
	}()
}

// stop ends the goroutine of start, if any, and restores the percentage
// that was in force before the policy.
func (p *gcPolicy) stop() {
	if p.cancel != nil {
		p.cancel()
		<-p.done
	}
	debug.SetGCPercent(p.orig)
}

// run follows the backlog every interval until ctx ends.
func (p *gcPolicy) run(ctx context.Context, interval time.Duration, backlog func() (msgs, bytes int)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, b := backlog()
			want := p.percentFor(uint64(max(b, 0)))
			if want == p.tuned && p.current != p.tuned {
				// The backlog has drained, but the heap goal is still
				// that of the last collection, which marked the backlog
				// live: with the tuned percentage it would let the heap
				// grow to several times the backlog. Collect first.
				runtime.GC()
			}
			p.set(want)
		}
	}
}

// liveHeap is the heap the last collection marked live, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
