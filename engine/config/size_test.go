package config

import (
	"math"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := map[string]Size{
		"0": 0, "1": 1, "1024": 1024, "64MiB": 64 * MiB, "64mib": 64 * MiB, " 10 MB ": 10_000_000,
		"1KiB": 1024, "1kb": 1000, "2GiB": 2 * GiB, "1TiB": TiB, "3TB": 3e12, "7B": 7,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1.5MiB", "1 pint", "0x10", "9223372036854775807KiB", "99999999999999999999"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
	if _, err := ParseSize("9223372036854775807"); err != nil {
		t.Errorf("max int64: %v", err)
	}
}

func TestSizeString(t *testing.T) {
	for _, s := range []Size{0, 1, 1000, 1024, 1536, 64 * MiB, 3 * GiB, 5 * TiB, math.MaxInt64} {
		back, err := ParseSize(s.String())
		if err != nil || back != s {
			t.Errorf("%d → %q → %d, %v", s, s.String(), back, err)
		}
	}
	if got := (64 * MiB).String(); got != "64MiB" {
		t.Errorf("got %q", got)
	}
}
