package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "matcher.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newFlags(t *testing.T) (*flag.FlagSet, *Config) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := Default()
	c.BindFlags(fs)
	return fs, &c
}

// TestPrecedence sets three keys in the file, two of them again in the
// environment and one of those again with a flag: each layer wins over
// the ones below it, and keys a layer does not set are left alone.
func TestPrecedence(t *testing.T) {
	path := writeFile(t, `
nats:
  url: nats://file:4222
matching:
  workers: 3
  validity: arrival
alerts:
  suppress_window: 1m
`)
	env := []string{
		"MATCHER_MATCHING_WORKERS=5",
		"MATCHER_MATCHING_VALIDITY=off",
		"MATCHER_ALERTS_SUPPRESS_WINDOW=2m",
		"HOME=/root", // not ours
	}
	fs, _ := newFlags(t)
	if err := fs.Parse([]string{"--config", path, "--validity", "event", "--log-level=debug"}); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, env)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.NATS.URL = "nats://file:4222"           // file only
	want.Matching.Workers = 5                    // file < env
	want.Matching.Validity = ValidityEvent       // file < env < flag
	want.Alerts.SuppressWindow = 2 * time.Minute // file < env
	want.Log.Level = "debug"                     // flag only
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
}

// A flag left at its default must not undo the file or the environment,
// even when the default shown by the flag differs from the file's value.
func TestUnsetFlagsDoNotOverride(t *testing.T) {
	path := writeFile(t, "matching:\n  workers: 3\nenrich:\n  enabled: false\n")
	fs, _ := newFlags(t)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, []string{EnvConfig + "=" + path, "MATCHER_LOG_FORMAT=json"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Matching.Workers != 3 || c.Enrich.Enabled || c.Log.Format != "json" {
		t.Fatalf("got %+v", c)
	}
}

func TestConfigFlagBeatsEnv(t *testing.T) {
	fromFlag := writeFile(t, "log:\n  level: warn\n")
	fromEnv := writeFile(t, "log:\n  level: error\n")
	fs, _ := newFlags(t)
	if err := fs.Parse([]string{"--config=" + fromFlag}); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, []string{EnvConfig + "=" + fromEnv})
	if err != nil || c.Log.Level != "warn" {
		t.Fatalf("level %q, err %v", c.Log.Level, err)
	}
}

func TestBoolAndListFlags(t *testing.T) {
	fs, bound := newFlags(t)
	err := fs.Parse([]string{"--enrich=false", "--match-subdomains", "--subjects", "a.>, b.*", "--max-event-bytes", "2MiB", "--http="})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Enrich.Enabled || !c.Matching.MatchSubdomains || c.HTTP.Listen != "" || c.Matching.MaxEventBytes != 2*MiB {
		t.Errorf("got %+v", c)
	}
	if !reflect.DeepEqual(c.NATS.Subjects, []string{"a.>", "b.*"}) {
		t.Errorf("list %q", c.NATS.Subjects)
	}
	// BindFlags also wrote the flags into the bound Config.
	if bound.Enrich.Enabled || !reflect.DeepEqual(bound.NATS.Subjects, []string{"a.>", "b.*"}) {
		t.Errorf("bound config not updated: %+v", bound)
	}
}

func TestFlagErrors(t *testing.T) {
	fs, _ := newFlags(t)
	err := fs.Parse([]string{"--workers", "lots"})
	if err == nil || !strings.Contains(err.Error(), "-workers") || !strings.Contains(err.Error(), "matching.workers: invalid integer") {
		t.Fatalf("err = %v", err)
	}
	fs, _ = newFlags(t)
	if err := fs.Parse([]string{"--mode", "sometimes"}); err != nil {
		t.Fatal(err) // the syntax is fine; Validate rejects the value
	}
	if _, err := Resolve(fs, nil); err == nil || !strings.Contains(err.Error(), `config: nats.mode: must be core or jetstream, got "sometimes"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestResolveReportsEachLayer(t *testing.T) {
	fs, _ := newFlags(t)
	if err := fs.Parse([]string{"--config", writeFile(t, "bogus: 1\n")}); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(fs, nil); err == nil || !strings.Contains(err.Error(), `unknown key "bogus"`) {
		t.Fatalf("file: %v", err)
	}
	fs, _ = newFlags(t)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(fs, []string{"MATCHER_INTEL_LIMIT=x"}); err == nil || !strings.Contains(err.Error(), "MATCHER_INTEL_LIMIT") {
		t.Fatalf("env: %v", err)
	}
}

// Every flag in flagDefs names an existing key, and no key has two flags.
func TestFlagDefs(t *testing.T) {
	seenPath := map[string]bool{}
	seenName := map[string]bool{FlagConfig: true}
	for _, d := range flagDefs {
		if _, ok := lookupLeaf(d.path); !ok {
			t.Errorf("flag --%s: no key %s", d.name, d.path)
		}
		if seenPath[d.path] || seenName[d.name] {
			t.Errorf("flag --%s (%s) defined twice", d.name, d.path)
		}
		seenPath[d.path], seenName[d.name] = true, true
	}
	for _, name := range []string{"config", "nats-url", "subjects", "queue-group", "mode", "validity", "profile", "workers", "store", "source", "feed", "base-url", "api-key-file", "http", "log-level", "log-format", "match-subdomains", "suppress-window", "enrich"} {
		if !seenName[name] {
			t.Errorf("flag --%s missing", name)
		}
	}
}

func TestPrintDefaults(t *testing.T) {
	fs, _ := newFlags(t)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	for _, want := range []string{"-suppress-window value", "(default 5m0s)", "$MATCHER_ALERTS_SUPPRESS_WINDOW", "(default logs.>)", "-enrich\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, b.String())
		}
	}
}
