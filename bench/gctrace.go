package bench

import (
	"strconv"
	"strings"
	"time"
)

// The matcher process runs with GODEBUG=gctrace=1: the runtime prints a
// line per garbage collection on standard error, which the bench reads to
// relate slow stretches to collections.

// gcCycle is one garbage collection of the matcher process.
type gcCycle struct {
	at    time.Time     // start
	clock time.Duration // wall clock of its phases (stop-the-world, concurrent mark, stop-the-world)
	live  uint64        // heap marked live, bytes
}

// GCStats sums the matcher's garbage collections during a run.
type GCStats struct {
	Cycles int
	Clock  time.Duration // wall clock spent in collection phases
}

// parseGCTrace reads a line of the Go runtime's GC trace:
// "gc 16 @6.609s 9%: 0.72+943+0.21 ms clock, …".
func parseGCTrace(line string, started time.Time) (gcCycle, bool) {
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "gc" || !strings.HasPrefix(f[2], "@") || !strings.HasSuffix(f[2], "s") || f[5] != "ms" {
		return gcCycle{}, false
	}
	at, err := strconv.ParseFloat(f[2][1:len(f[2])-1], 64)
	if err != nil {
		return gcCycle{}, false
	}
	var ms float64
	for _, part := range strings.Split(f[4], "+") {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return gcCycle{}, false
		}
		ms += v
	}
	c := gcCycle{at: started.Add(time.Duration(at * float64(time.Second))), clock: time.Duration(ms * float64(time.Millisecond))}
	// "… ms cpu, 1089->1167->917 MB, …": the last figure is the live heap.
	for i, w := range f {
		if strings.Count(w, "->") == 2 && i+1 < len(f) && strings.HasPrefix(f[i+1], "MB") {
			parts := strings.Split(w, "->")
			if mb, err := strconv.ParseUint(parts[2], 10, 64); err == nil {
				c.live = mb << 20
			}
			break
		}
	}
	return c, true
}

// maxLive is the largest live heap the matcher's collections found.
func (m *matcherProc) maxLive() uint64 {
	m.gcMu.Lock()
	defer m.gcMu.Unlock()
	var most uint64
	for _, c := range m.gcs {
		most = max(most, c.live)
	}
	return most
}

// gcBetween sums the collections that started in [from, to].
func (m *matcherProc) gcBetween(from, to time.Time) GCStats {
	m.gcMu.Lock()
	defer m.gcMu.Unlock()
	var g GCStats
	for _, c := range m.gcs {
		if !c.at.Before(from) && !c.at.After(to) {
			g.Cycles++
			g.Clock += c.clock
		}
	}
	return g
}
