package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Intel.BaseURL != intel.DefaultBaseURL || c.Intel.FeedID != intel.DefaultFeedID {
		t.Errorf("intel defaults drifted from ingest/intel: %q %q", c.Intel.BaseURL, c.Intel.FeedID)
	}
	// Fresh slices on every call.
	c.NATS.Subjects[0] = "changed"
	if Default().NATS.Subjects[0] != "logs.>" {
		t.Error("Default shares its slices")
	}
}

func TestLoadEmptyPath(t *testing.T) {
	c, err := Load("")
	if err != nil || !reflect.DeepEqual(c, Default()) {
		t.Fatalf("Load(\"\") = %+v, %v", c, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "config: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadFull(t *testing.T) {
	c, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		got, want any
	}{
		{c.NATS.URL, "nats://n1:4222,nats://n2:4222"},
		{c.NATS.Embedded, Embedded{Host: "0.0.0.0", Port: -1, StoreDir: "/var/lib/nats"}},
		{c.NATS.Subjects, []string{"logs.zeek.>", "logs.dns.*"}},
		{c.NATS.JetStream, JetStream{Stream: "EVENTS", Durable: "m1", AckWait: time.Minute, MaxAckPending: -1, FetchBatch: 64}},
		{c.NATS.PendingLimits, PendingLimits{Msgs: 1000, Bytes: 8 * MiB}},
		{c.Matching.MaxEventBytes, 256 * KiB},
		{c.Matching.Subjects, []SubjectProfile{{"logs.zeek.>", "zeek"}, {"logs.dns.*", "dns"}}},
		{c.Matching.Indicators, []string{"a.jsonl.gz", "b.json"}},
		{c.Alerts, Alerts{MaxPairs: 10, RatePerIndicator: 2.5, Burst: 5}},
		{c.Intel.Timeout, 10 * time.Second},
		{c.Enrich, Enrich{Budget: 500 * time.Millisecond, TTL: 10 * time.Minute, MaxEntries: 50, FullBundle: true}},
		{c.HTTP.Listen, ":0"},
		{c.Log, Log{Level: "debug", Format: "json"}},
		{c.Shutdown.Timeout, 5 * time.Second},
	}
	for i, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("check %d: got %+v, want %+v", i, ch.got, ch.want)
		}
	}
}

func TestParseKeepsDefaultsForMissingKeys(t *testing.T) {
	c, err := Parse([]byte("nats:\n  url: nats://x:4222\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.NATS.URL = "nats://x:4222"
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v", c)
	}
	for _, empty := range []string{"", "# only a comment\n", "---\n"} {
		c, err := Parse([]byte(empty))
		if err != nil || !reflect.DeepEqual(c, Default()) {
			t.Errorf("Parse(%q) = %v", empty, err)
		}
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	for _, path := range []string{"", "testdata/full.yaml"} {
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.YAML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("%s: %v\n%s", path, err, out)
		}
		if !reflect.DeepEqual(normalize(back), normalize(c)) {
			t.Errorf("%s: round trip differs:\n%s", path, out)
		}
	}
}

// normalize makes nil and empty lists equal.
func normalize(c Config) Config {
	if len(c.Matching.Subjects) == 0 {
		c.Matching.Subjects = nil
	}
	if len(c.Matching.Indicators) == 0 {
		c.Matching.Indicators = nil
	}
	if len(c.NATS.Subjects) == 0 {
		c.NATS.Subjects = nil
	}
	return c
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown top", "natz:\n  url: x\n", `config: line 1: unknown key "natz" (the top level has: nats, matching,`},
		{"unknown nested", "nats:\n  jetstream:\n    strem: X\n", `config: line 3: unknown key "nats.jetstream.strem" (nats.jetstream has: stream, durable,`},
		{"unknown in list item", "matching:\n  subjects:\n    - {subject: a.>, profle: zeek}\n", `unknown key "matching.subjects[0].profle"`},
		{"bad duration", "alerts:\n  suppress_window: five minutes\n", `config: line 2: alerts.suppress_window: expected a duration, got "five minutes"`},
		{"bare int duration", "intel:\n  timeout: 30\n", `intel.timeout: expected a duration, got "30"`},
		{"bad int", "matching:\n  workers: many\n", `matching.workers: expected an int, got "many"`},
		{"bad size", "matching:\n  max_event_bytes: 1 pint\n", `matching.max_event_bytes: expected a size, got "1 pint"`},
		{"bad bool", "enrich:\n  enabled: maybe\n", `enrich.enabled: expected a bool, got "maybe"`},
		{"list for scalar", "nats:\n  url: [a, b]\n", `nats.url: expected a string, got a list`},
		{"scalar for section", "nats: hello\n", `line 1: nats: expected a mapping of keys, got "hello"`},
		{"scalar for list", "matching:\n  subjects: logs\n", `matching.subjects: expected a list of {subject, profile}, got "logs"`},
		{"top scalar", "hello\n", `the top level: expected a mapping of keys`},
		{"duplicate", "log:\n  level: info\n  level: debug\n", `config: yaml: `},
		{"two documents", "log: {level: info}\n---\nlog: {level: debug}\n", "more than one YAML document"},
		{"syntax", "nats: {url: \n", "config: yaml: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(path, []byte("log:\n  levl: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := "config: " + path + `: line 2: unknown key "log.levl" (log has: level, format)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant   %s", err, want)
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, make([]byte, maxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}
