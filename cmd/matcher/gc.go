package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// GC percentage bounds of tuneGC: never more than Go's default, never so
// low that collections run back to back.
const (
	maxGCPercent = 100
	minGCPercent = 10
)

// gcPercentFor is the GC percentage that lets at most runway bytes of
// garbage accumulate over a live heap of live bytes, within
// [minGCPercent, maxGCPercent].
func gcPercentFor(live, runway uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	p := runway / max(live/100, 1)
	return int(min(max(p, minGCPercent), maxGCPercent))
}

// tuneGC collects once, reads the live heap (mostly the compiled
// indicators) and sets the GC percentage so that a collection follows at
// most runway bytes of new garbage (runtime.gc_runway, see
// docs/config.md). It does nothing when runway is 0 or when GOGC is set
// in the environment, which then decides.
func tuneGC(runway uint64, log *slog.Logger) {
	if runway == 0 {
		return
	}
	if v, ok := os.LookupEnv("GOGC"); ok {
		log.Info("garbage collection left to GOGC", "GOGC", v)
		return
	}
	runtime.GC()
	live := liveHeap()
	p := gcPercentFor(live, runway)
	debug.SetGCPercent(p)
	log.Info("garbage collection tuned", "live_heap_mib", live>>20, "gc_percent", p, "gc_runway_mib", runway>>20)
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
