package main

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

const enrichTestKey = "cli-enrich-key-9d41"

var (
	enrichDSOnce sync.Once
	enrichDS     *intelserver.Dataset
	enrichDSErr  error
)

// enrichStandIn serves 300 real indicators with their generated context
// and sets the API key for the commands.
func enrichStandIn(t *testing.T) (*intelserver.Server, string) {
	t.Helper()
	enrichDSOnce.Do(func() {
		enrichDS, enrichDSErr = intelserver.LoadDataset("../../testdata/real/indicators.jsonl.gz", intelserver.DatasetOptions{MaxIndicators: 300})
	})
	if enrichDSErr != nil {
		t.Fatal(enrichDSErr)
	}
	srv := intelserver.New(enrichDS, intelserver.Options{Keys: []string{enrichTestKey}})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	t.Setenv("SEKOIA_API_KEY", enrichTestKey)
	return srv, hs.URL + "/api/"
}

// observable returns the type and value of the first indicator of srv
// whose pattern is a single comparison on typ.
func observable(t *testing.T, srv *intelserver.Server, typ string) (id, value string) {
	t.Helper()
	re := regexp.MustCompile(`^\[` + regexp.QuoteMeta(typ) + `:(value|hashes\.'?[A-Z0-9-]+'?) = '([^']+)'\]$`)
	for _, id := range srv.IndicatorIDs() {
		raw, _ := srv.Object(id)
		var o struct{ Pattern string }
		json.Unmarshal(raw, &o)
		if m := re.FindStringSubmatch(o.Pattern); m != nil {
			return id, m[2]
		}
	}
	t.Fatalf("no %s indicator in the dataset", typ)
	return "", ""
}

func TestContextCommand(t *testing.T) {
	srv, base := enrichStandIn(t)
	id := srv.IndicatorIDs()[5]
	out, errOut, err := runCLI(t, "context", "--base-url", base, id)
	if err != nil {
		t.Fatalf("context: %v\n%s", err, errOut)
	}
	for _, want := range []string{"indicator", id, "tlp", "source", "attack pattern", "relationship", "indicates"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	// JSON, with the flag after the id and the full bundle.
	out, _, err = runCLI(t, "context", id, "--base-url", base, "--json", "--full")
	if err != nil {
		t.Fatal(err)
	}
	var d enrich.Digest
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, out)
	}
	if d.Indicator.STIXID != id || d.Marking == nil || len(d.Sources) != 1 || len(d.AttackPatterns) != 1 || !json.Valid(d.Bundle) {
		t.Fatalf("digest %+v", d)
	}
	if c := srv.Counts()["object-context"]; c != 2 {
		t.Fatalf("%d context requests", c)
	}
}

func TestContextCommandErrors(t *testing.T) {
	_, base := enrichStandIn(t)
	if _, _, err := runCLI(t, "context", "--base-url", base, "indicator--00000000-0000-4000-8000-000000000000"); !errors.Is(err, errFailed) {
		t.Fatalf("unknown id: %v", err)
	}
	for _, args := range [][]string{
		{"context", "--base-url", base},
		{"context", "--base-url", base, "not-an-id"},
		{"context", "--base-url", base, "--api-key", "x", "indicator--a"},
		{"context", "--base-url", "ftp://x", "indicator--a"},
	} {
		if _, _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	// No key anywhere.
	t.Setenv("SEKOIA_API_KEY", "")
	if _, _, err := runCLI(t, "context", "--base-url", base, "indicator--a"); !errors.Is(err, errUsage) {
		t.Fatalf("no key: %v", err)
	}
	// The key file is read, and a wrong key is a failure naming the cause.
	f := filepath.Join(t.TempDir(), "key")
	os.WriteFile(f, []byte("wrong-key\n"), 0o600)
	_, _, err := runCLI(t, "context", "--base-url", base, "--api-key-file", f, "indicator--00000000-0000-4000-8000-000000000000")
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-key") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestLookupCommand(t *testing.T) {
	srv, base := enrichStandIn(t)
	for _, typ := range []string{"domain-name", "ipv4-addr"} {
		id, value := observable(t, srv, typ)
		out, errOut, err := runCLI(t, "lookup", "--base-url", base, typ, value)
		if err != nil {
			t.Fatalf("lookup %s %s: %v\n%s", typ, value, err, errOut)
		}
		if !strings.Contains(out, id) || !strings.Contains(out, "tlp") {
			t.Errorf("lookup %s %s:\n%s", typ, value, out)
		}
		out, _, err = runCLI(t, "lookup", "--json", "--base-url", base, typ, value)
		var ds []enrich.Digest
		if err != nil || json.Unmarshal([]byte(out), &ds) != nil || len(ds) == 0 || ds[0].Indicator.STIXID != id {
			t.Fatalf("JSON lookup: %v %s", err, out)
		}
	}
	if c := srv.Counts()["indicator-context"]; c != 4 {
		t.Fatalf("%d indicators/context requests", c)
	}
	// Nothing matches: exit status 1, an empty JSON list.
	out, _, err := runCLI(t, "lookup", "--base-url", base, "domain-name", "nothing-here.invalid")
	if !errors.Is(err, errFailed) || !strings.Contains(out, "no indicator matches") {
		t.Fatalf("no match: %v %q", err, out)
	}
	out, _, err = runCLI(t, "lookup", "--base-url", base, "--json", "email-addr", "nobody@nothing-here.invalid")
	if !errors.Is(err, errFailed) || strings.TrimSpace(out) != "[]" {
		t.Fatalf("no match, JSON: %v %q", err, out)
	}
}

func TestLookupCommandUsage(t *testing.T) {
	_, base := enrichStandIn(t)
	for _, args := range [][]string{
		{"lookup", "--base-url", base, "domain-name"},
		{"lookup", "--base-url", base, "hostname", "example.com"},
		{"lookup", "--base-url", base, "ipv4-addr", "2001:db8::1"},
		{"lookup", "--base-url", base, "ipv6-addr", "192.0.2.1"},
		{"lookup", "--base-url", base, "file", "not-a-hash"},
		{"lookup", "--base-url", base, "email-addr", "no-at-sign"},
		{"lookup", "--base-url", base, "url", "no-scheme"},
		{"lookup", "--base-url", base, "domain-name", "a\x1bb"},
	} {
		if _, _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	for _, ok := range [][2]string{
		{"file", "44d88612fea8a8f36de82e1278abb02f"},
		{"ipv6-addr", "2001:db8::1"},
		{"url", "http://177.22.84.44:49467/.i"},
		{"filename", "-dash.exe"},
	} {
		if err := checkLookup(ok[0], ok[1]); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	// "--" ends the flags: a value may start with a dash.
	if _, _, err := runCLI(t, "lookup", "--base-url", base, "--", "filename", "-dash.exe"); !errors.Is(err, errFailed) {
		t.Fatalf("value after --: %v", err)
	}
	if _, _, err := runCLI(t, "lookup", "-h"); err != nil {
		t.Fatalf("help: %v", err)
	}
}
