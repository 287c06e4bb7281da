package extract

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/observation"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenArrival is the arrival time of golden events without a time.
var goldenArrival = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

type goldenObservable struct {
	Kind  string `json:"kind"`
	Role  string `json:"role"`
	Field string `json:"field,omitempty"`
	Text  string `json:"text"`
	Key   string `json:"key_hex,omitempty"`
	Port  uint16 `json:"port,omitempty"`
}

type goldenResult struct {
	Profile     string             `json:"profile"`
	Time        string             `json:"time"`
	TimeSource  string             `json:"time_source"`
	Observables []goldenObservable `json:"observables"`
	Objects     []json.RawMessage  `json:"observation"`
}

type goldenEvent struct {
	Input  string       `json:"input"`
	Result goldenResult `json:"result"`
}

type goldenFile struct {
	Comment string        `json:"comment,omitempty"`
	Events  []goldenEvent `json:"events"`
}

// result renders what Extract made of one event.
func result(t *testing.T, x *Extractor, raw []byte) goldenResult {
	t.Helper()
	var ev Event
	if err := x.Extract(raw, goldenArrival, &ev); err != nil {
		t.Fatalf("Extract(%s): %v", raw, err)
	}
	r := goldenResult{
		Profile: ev.Profile, Time: ev.Time.Format(time.RFC3339Nano), TimeSource: ev.TimeSource.String(),
		Observables: []goldenObservable{},
	}
	for _, o := range ev.Observables {
		g := goldenObservable{Kind: o.Kind.String(), Role: o.Role.String(), Field: o.Field, Text: string(o.Text), Port: o.Port}
		if !bytes.Equal(o.Value, o.Text) {
			g.Key = hex.EncodeToString(o.Value)
		}
		r.Observables = append(r.Observables, g)
	}
	for _, obj := range ev.Observation().Objects {
		r.Objects = append(r.Objects, observation.AppendJSON(nil, observation.ObjectValue(obj)))
	}
	return r
}

// checkGolden compares the results for inputs with the golden file, or
// rewrites it with -update.
func checkGolden(t *testing.T, x *Extractor, path, comment string, inputs []string) {
	t.Helper()
	got := goldenFile{Comment: comment}
	for _, in := range inputs {
		got.Events = append(got.Events, goldenEvent{Input: in, Result: result(t, x, []byte(in))})
	}
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(want, data) {
		var w goldenFile
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for i := range got.Events {
			if i >= len(w.Events) {
				t.Errorf("%s: event %d missing from golden file", path, i)
				continue
			}
			gj, _ := json.MarshalIndent(got.Events[i], "", "  ")
			wj, _ := json.MarshalIndent(w.Events[i], "", "  ")
			if !bytes.Equal(gj, wj) {
				t.Errorf("%s: event %d differs\n got: %s\nwant: %s", path, i, gj, wj)
			}
		}
		if len(w.Events) != len(got.Events) {
			t.Errorf("%s: %d events, golden has %d", path, len(got.Events), len(w.Events))
		}
	}
}

// TestGoldenZeek covers the first two events of each Zeek log type of the
// real file, in each flavour (dotted WRCCDC lines 1-20585, underscored
// APT29 lines 20586-22725).
func TestGoldenZeek(t *testing.T) {
	lines := loadEvents(t)
	x := newTestExtractor(t)
	samples := map[string][]string{}
	for _, l := range lines {
		var head struct {
			Path   string `json:"_path"`
			Stream string `json:"@stream"`
		}
		if err := json.Unmarshal(l, &head); err != nil {
			t.Fatal(err)
		}
		key := "dotted/" + head.Path
		if head.Path == "" {
			key = "underscored/" + head.Stream
		}
		if len(samples[key]) < 2 {
			samples[key] = append(samples[key], string(l))
		}
	}
	keys := make([]string, 0, len(samples))
	for k := range samples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) < 40 {
		t.Fatalf("only %d Zeek log types found", len(keys))
	}
	for _, k := range keys {
		t.Run(k, func(t *testing.T) {
			checkGolden(t, x, filepath.Join("testdata", "golden", "zeek", k+".json"),
				"Zeek "+strings.Replace(k, "/", " log ", 1)+": first events of this type in testdata/real/events.jsonl.gz", samples[k])
		})
	}
}

// TestGoldenProfiles covers the hand-written events under testdata/events:
// one JSON Lines file per source, each line an event written from the
// source's public schema documentation, with "//" comment lines.
func TestGoldenProfiles(t *testing.T) {
	x := newTestExtractor(t)
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no event files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		t.Run(name, func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			var inputs []string
			var comment []string
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				switch {
				case line == "":
				case strings.HasPrefix(line, "//"):
					comment = append(comment, strings.TrimSpace(strings.TrimPrefix(line, "//")))
				default:
					inputs = append(inputs, line)
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, x, filepath.Join("testdata", "golden", name+".json"), strings.Join(comment, " "), inputs)
		})
	}
}
