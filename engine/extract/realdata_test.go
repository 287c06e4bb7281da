package extract

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const realEventsPath = "../../testdata/real/events.jsonl.gz"

var (
	realOnce  sync.Once
	realLines [][]byte
	realErr   error
)

// loadEvents returns the lines of the real events file, decompressed once.
func loadEvents(t testing.TB) [][]byte {
	t.Helper()
	realOnce.Do(func() {
		f, err := os.Open(realEventsPath)
		if err != nil {
			realErr = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			realErr = err
			return
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			realLines = append(realLines, append([]byte(nil), sc.Bytes()...))
		}
		realErr = sc.Err()
	})
	if realErr != nil {
		t.Skipf("real events unavailable: %v", realErr)
	}
	return realLines
}

// newTestExtractor builds an Extractor with the built-in profiles.
func newTestExtractor(t testing.TB) *Extractor {
	t.Helper()
	x, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// eventFileLines returns the events of testdata/events/<name>.* without
// comment lines.
func eventFileLines(t testing.TB, name string) [][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "events", name+".*"))
	if len(files) != 1 {
		t.Fatalf("event file for %s: %v", name, files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "//") {
			out = append(out, []byte(l))
		}
	}
	return out
}
