package main

import (
	"bytes"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, runway uint64
		want         int
	}{
		{0, 256 * mib, 100},         // nothing known: Go's default
		{100 * mib, 256 * mib, 256}, // a small heap is not collected every 100 MiB
		{10 * mib, 256 * mib, 1000}, // ceiling
		{256 * mib, 256 * mib, 100},
		{650 * mib, 256 * mib, 39},
		{2048 * mib, 256 * mib, 12},
		{8192 * mib, 256 * mib, 10}, // floor
		{50, 256 * mib, 1000},       // tiny heaps do not divide by zero
	} {
		if got := gcPercentFor(c.live, c.runway); got != c.want {
			t.Errorf("gcPercentFor(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.runway/mib, got, c.want)
		}
	}
}

func TestGCPolicyLeavesGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "") // set, even if empty: the environment decides
	var logs bytes.Buffer
	if p := newGCPolicy(1, slog.New(slog.NewTextHandler(&logs, nil))); p != nil {
		t.Fatal("a policy despite GOGC in the environment")
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Fatalf("GOGC in the environment: percentage changed to %d", p)
	}
	if !strings.Contains(logs.String(), "left to GOGC") {
		t.Fatalf("log: %s", logs.String())
	}
	if p := newGCPolicy(0, slog.New(slog.DiscardHandler)); p != nil {
		t.Fatal("a policy with a zero runway")
	}
}

func TestGCPolicyFollowsBacklog(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	hold := make([][]byte, 0, 64)
	for range 64 {
		hold = append(hold, make([]byte, 1<<20)) // a live heap of at least 64 MiB
	}
	const runway = 4 << 20
	var logs bytes.Buffer
	p := newGCPolicy(runway, slog.New(slog.NewTextHandler(&logs, nil))) // 4 MiB over ≥ 64 MiB live
	runtime.KeepAlive(hold)
	if p == nil || p.tuned != minGCPercent || !strings.Contains(logs.String(), "gc_percent=10") {
		t.Fatalf("policy %+v; log: %s", p, logs.String())
	}
	percent := func() int { v := debug.SetGCPercent(-1); debug.SetGCPercent(v); return v }
	if got := percent(); got != minGCPercent {
		t.Fatalf("percentage %d after tuning; want %d", got, minGCPercent)
	}

	var backlog atomic.Int64
	p.start(time.Millisecond, func() (int, int) { return 0, int(backlog.Load()) })
	waitFor := func(want int, what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for percent() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: percentage %d, want %d", what, percent(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	backlog.Store(runway) // a backlog: Go's default
	waitFor(defaultGCPercent, "backlog of the runway")
	backlog.Store(runway / 2) // between the thresholds: unchanged
	time.Sleep(20 * time.Millisecond)
	if got := percent(); got != defaultGCPercent {
		t.Fatalf("half a runway of backlog: percentage %d, want %d (hysteresis)", got, defaultGCPercent)
	}
	backlog.Store(runway/4 - 1) // drained: back to the tuned percentage
	waitFor(minGCPercent, "drained backlog")
	p.stop()
	if got := percent(); got != 100 {
		t.Fatalf("after stop: percentage %d, want the one before the policy (100)", got)
	}
}
