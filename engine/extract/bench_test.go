package extract

import (
	"encoding/json"
	"testing"
	"time"
)

func totalSize(lines [][]byte) int64 {
	var n int64
	for _, l := range lines {
		n += int64(len(l)) + 1
	}
	return n
}

// BenchmarkExtractZeek extracts every line of the real events file
// (auto-detection; one op = the whole file, 9.5 MB).
func BenchmarkExtractZeek(b *testing.B) {
	lines := loadEvents(b)
	x := newTestExtractor(b)
	var ev Event
	arrival := time.Now()
	for _, l := range lines { // warm the Event: steady state allocates nothing
		_ = x.Extract(l, arrival, &ev)
	}
	b.SetBytes(totalSize(lines))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if err := x.Extract(l, arrival, &ev); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchProfile extracts every real event with one fixed profile.
func benchProfile(b *testing.B, profile string) {
	lines := loadEvents(b)
	x := newTestExtractor(b)
	p := x.Profile(profile)
	var ev Event
	arrival := time.Now()
	for _, l := range lines { // warm the Event: steady state allocates nothing
		_ = x.ExtractWith(p, l, arrival, &ev)
	}
	b.SetBytes(totalSize(lines))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if err := x.ExtractWith(p, l, arrival, &ev); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExtractZeekFixed is the same with the profile chosen per
// subject instead of detected.
func BenchmarkExtractZeekFixed(b *testing.B) { benchProfile(b, "zeek") }

// BenchmarkExtractGeneric runs the generic profile (token scanner over every
// string) on the same file.
func BenchmarkExtractGeneric(b *testing.B) { benchProfile(b, GenericProfile) }

// BenchmarkExtractText reads the same file as raw text lines.
func BenchmarkExtractText(b *testing.B) { benchProfile(b, TextProfile) }

// BenchmarkObservation measures the lazy observation build (done only on
// candidate hits), per event.
func BenchmarkObservation(b *testing.B) {
	lines := loadEvents(b)
	x := newTestExtractor(b)
	var ev Event
	arrival := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l := lines[i%len(lines)]
		i += 97
		if err := x.Extract(l, arrival, &ev); err != nil {
			b.Fatal(err)
		}
		ev.Observation()
	}
}

// BenchmarkStdlibMap is the naive baseline: encoding/json into
// map[string]any, without even extracting anything.
func BenchmarkStdlibMap(b *testing.B) {
	lines := loadEvents(b)
	b.SetBytes(totalSize(lines))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal(l, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExtractProfiles runs each profile on its hand-written events
// (testdata/events), repeated; one op = one event.
func BenchmarkExtractProfiles(b *testing.B) {
	x := newTestExtractor(b)
	for _, name := range []string{"suricata", "ecs", "windows", "ocsf", "generic", "text", "zeek-plain"} {
		lines := eventFileLines(b, name)
		var size int64
		for _, l := range lines {
			size += int64(len(l)) + 1
		}
		b.Run(name, func(b *testing.B) {
			var ev Event
			arrival := time.Now()
			b.SetBytes(size / int64(len(lines)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := x.Extract(lines[i%len(lines)], arrival, &ev); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
