package main

import (
	"bytes"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, runway uint64
		want         int
	}{
		{0, 256 * mib, 100},
		{100 * mib, 256 * mib, 100}, // a small heap keeps Go's default
		{256 * mib, 256 * mib, 100},
		{650 * mib, 256 * mib, 39},
		{2048 * mib, 256 * mib, 12},
		{8192 * mib, 256 * mib, 10}, // floor
		{50, 256 * mib, 100},        // tiny heaps do not divide by zero
	} {
		if got := gcPercentFor(c.live, c.runway); got != c.want {
			t.Errorf("gcPercentFor(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.runway/mib, got, c.want)
		}
	}
}

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "") // set, even if empty: the environment decides
	var logs bytes.Buffer
	tuneGC(1, slog.New(slog.NewTextHandler(&logs, nil)))
	if p := debug.SetGCPercent(100); p != 100 {
		t.Fatalf("GOGC in the environment: percentage changed to %d", p)
	}
	if !strings.Contains(logs.String(), "left to GOGC") {
		t.Fatalf("log: %s", logs.String())
	}
}

func TestTuneGCSetsPercentage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	hold := make([][]byte, 0, 64)
	for range 64 {
		hold = append(hold, make([]byte, 1<<20)) // a live heap of at least 64 MiB
	}
	var logs bytes.Buffer
	tuneGC(4<<20, slog.New(slog.NewTextHandler(&logs, nil))) // a 4 MiB runway over ≥ 64 MiB live
	runtime.KeepAlive(hold)
	if p := debug.SetGCPercent(100); p != minGCPercent {
		t.Fatalf("percentage %d; want the floor %d for a 4 MiB runway over 64 MiB", p, minGCPercent)
	}
	if !strings.Contains(logs.String(), "gc_percent=10") {
		t.Fatalf("log: %s", logs.String())
	}
}
