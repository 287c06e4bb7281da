package gen

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

// TestEventsHitRate checks that the share of planted events is the one
// asked for, spread over the stream and over the schemas.
func TestEventsHitRate(t *testing.T) {
	set := loadReal(t)
	for _, rate := range []float64{0, 0.001, 0.01, 0.1, 0.5, 1} {
		const n = 20000
		evs, err := Events(set, EventOptions{N: n, Seed: 4, HitRate: rate})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != n {
			t.Fatalf("rate %v: %d events", rate, len(evs))
		}
		planted, firstHalf := 0, 0
		perSchema := map[Schema]int{}
		for i, e := range evs {
			perSchema[e.Schema]++
			if e.Planted.Kind != 0 {
				planted++
				if i < n/2 {
					firstHalf++
				}
				if e.Planted.ID == "" || e.Planted.Value == "" {
					t.Fatalf("rate %v: event %d planted without a value: %+v", rate, i, e.Planted)
				}
			}
		}
		if want := rate * n; math.Abs(float64(planted)-want) > 1 {
			t.Errorf("rate %v: %d planted, want %.0f ± 1", rate, planted, want)
		}
		if math.Abs(float64(firstHalf)-float64(planted)/2) > 1 {
			t.Errorf("rate %v: %d of %d planted events in the first half", rate, firstHalf, planted)
		}
		for _, s := range AllSchemas() {
			if got, want := perSchema[s], n/len(AllSchemas()); math.Abs(float64(got-want)) > 0.1*float64(want) {
				t.Errorf("rate %v: %d events of %s, want about %d", rate, got, s, want)
			}
		}
	}
	if _, err := Events(set, EventOptions{N: 10, HitRate: 1.5}); err == nil {
		t.Error("hit rate 1.5 accepted")
	}
	if _, err := Events(nil, EventOptions{N: 10, HitRate: 0.5}); err == nil {
		t.Error("hits asked for with no indicators: no error")
	}
}

func TestEventsDeterministic(t *testing.T) {
	set := loadReal(t)
	a, _ := Events(set, EventOptions{N: 500, Seed: 8, HitRate: 0.2})
	b, _ := Events(set, EventOptions{N: 500, Seed: 8, HitRate: 0.2})
	c, _ := Events(set, EventOptions{N: 500, Seed: 9, HitRate: 0.2})
	same := 0
	for i := range a {
		if !bytes.Equal(a[i].Raw, b[i].Raw) || a[i].Subject != b[i].Subject {
			t.Fatalf("event %d differs between runs with one seed", i)
		}
		if bytes.Equal(a[i].Raw, c[i].Raw) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d events identical across seeds", same)
	}
}

func TestPlantFor(t *testing.T) {
	cases := []struct {
		pattern string
		kind    PlantKind
		value   string
		port    uint16
	}{
		{`[domain-name:value = 'evil.example.com']`, PlantDomain, "evil.example.com", 0},
		{`[ipv4-addr:value = '203.0.113.9']`, PlantIP, "203.0.113.9", 0},
		{`[ipv6-addr:value = '2001:db8::1']`, PlantIP, "2001:db8::1", 0},
		{`[url:value = 'http://evil.example.com/gate.php?id=1']`, PlantURL, "http://evil.example.com/gate.php?id=1", 0},
		{`[url:value LIKE '%/cobalt1/%.php']`, PlantURL, "http://files.dl-mirror.example.net/cobalt1/x.php", 0},
		{`[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']`, PlantMD5, "d41d8cd98f00b204e9800998ecf8427e", 0},
		{`[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']`, PlantSHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", 0},
		{`[email-addr:value = 'billing@phish.example']`, PlantEmail, "billing@phish.example", 0},
		{`[process:command_line MATCHES '(?i)tag1.+-enc']`, PlantCommandLine, "tag1 -w hidden -enc", 0},
		{`[process:command_line LIKE '%mimikatz%']`, PlantCommandLine, " mimikatz ", 0},
		{`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 8443]`, PlantAddrPort, "198.51.100.7", 8443},
	}
	for _, c := range cases {
		pl, ok := PlantFor(snapshot.Indicator{ID: "indicator--x", Pattern: c.pattern}, 0)
		if !ok || pl.Kind != c.kind || pl.Value != c.value || pl.Port != c.port || pl.ID != "indicator--x" {
			t.Errorf("%s: got %+v, %v", c.pattern, pl, ok)
		}
	}
	for _, p := range []string{
		`[domain-name:value = 'a.example' OR domain-name:value = 'b.example']`,
		`[domain-name:value NOT = 'a.example']`,
		`[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']`,
		`[file:hashes.MD5 = 'not-a-hash']`,
		`[url:value = 'ftp://x.example/a']`,
		`[process:command_line MATCHES '^a[0-9]+b$']`,
		`[windows-registry-key:key = 'HKLM\\Run']`,
		`[domain-name:value = `, // not a pattern
	} {
		if pl, ok := PlantFor(snapshot.Indicator{ID: "indicator--x", Pattern: p}, 0); ok {
			t.Errorf("%s: planted %+v", p, pl)
		}
	}
	if _, ok := PlantFor(snapshot.Indicator{ID: "i", Pattern: `[domain-name:value = 'a.example']`, Benign: true}, 0); ok {
		t.Error("benign indicator planted")
	}
	// An address inside the range, for any salt.
	for salt := uint64(0); salt < 300; salt++ {
		for _, pf := range []string{"198.51.100.0/24", "10.0.0.0/8", "2001:db8::/32", "203.0.113.5/32"} {
			pl, ok := PlantFor(snapshot.Indicator{ID: "i", Pattern: "[ipv4-addr:value ISSUBSET '" + pf + "']"}, salt)
			if !ok {
				t.Fatalf("%s: not planted", pf)
			}
			if !netip.MustParsePrefix(pf).Contains(netip.MustParseAddr(pl.Value)) {
				t.Fatalf("%s, salt %d: %s is outside", pf, salt, pl.Value)
			}
		}
	}
}

func TestStamp(t *testing.T) {
	ev := appendStamped(obj{{"a", "b"}})
	off := StampOffset(ev)
	if off < 0 {
		t.Fatalf("no stamp in %s", ev)
	}
	if _, ok := ReadStamp(ev); ok {
		t.Error("placeholder read as a stamp")
	}
	ns := time.Date(2026, 12, 4, 10, 0, 0, 123, time.UTC).UnixNano()
	PutStamp(ev, off, ns)
	if !json.Valid(ev) {
		t.Fatalf("stamped event is not JSON: %s", ev)
	}
	if got, ok := ReadStamp(ev); !ok || got != ns {
		t.Errorf("read %d, %v; want %d", got, ok, ns)
	}
	// Quoted inside an alert, with escaped quotes.
	alertJSON, _ := json.Marshal(map[string]any{"event": map[string]string{"original": string(ev)}})
	if got, ok := ReadStamp(alertJSON); !ok || got != ns {
		t.Errorf("in an alert: read %d, %v; want %d", got, ok, ns)
	}
	text := []byte("Mar 1 host sshd: hello " + StampField + "=" + stampZeros)
	PutStamp(text, StampOffset(text), 42)
	if got, ok := ReadStamp(text); !ok || got != 42 {
		t.Errorf("text: read %d, %v", got, ok)
	}
	for _, bad := range []string{"", StampField, StampField + `":"12`, StampField + `":"12345678901234567x9"`} {
		if _, ok := ReadStamp([]byte(bad)); ok {
			t.Errorf("%q read as a stamp", bad)
		}
		if StampOffset([]byte(bad)) >= 0 && len(bad) < len(StampField)+3+len(stampZeros) {
			t.Errorf("%q: offset past the end", bad)
		}
	}
}

func TestReplay(t *testing.T) {
	lines, err := LoadLines("../../testdata/real/events.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	evs := Replay(append(lines[:3:3], []byte("{}"), []byte("plain text line")), 12)
	if len(evs) != 12 {
		t.Fatalf("%d events", len(evs))
	}
	for i, e := range evs {
		if StampOffset(e.Raw) < 0 {
			t.Errorf("event %d: no stamp: %s", i, e.Raw)
		}
		if e.Raw[0] == '{' && !json.Valid(e.Raw) {
			t.Errorf("event %d: not JSON: %s", i, e.Raw)
		}
		if !strings.HasPrefix(e.Subject, "logs.zeek.") {
			t.Errorf("event %d: subject %q", i, e.Subject)
		}
	}
	if evs[0].Subject != "logs.zeek.stats" || !bytes.Equal(evs[5].Raw, evs[0].Raw) {
		t.Errorf("not replayed in order: %s, %s", evs[0].Subject, evs[5].Raw)
	}
	if Replay(nil, 5) != nil && len(Replay(nil, 5)) != 0 {
		t.Error("events from no lines")
	}
}

func TestWriteSTIXRoundTrip(t *testing.T) {
	set := loadReal(t)
	inds := Scale(set, Options{N: len(set) + 50, Seed: 2, MinSubstring: 10, MinCIDR: 10})
	sample := append(append([]snapshot.Indicator{}, inds[:20]...), inds[len(inds)-60:]...)
	sample = append(sample, inds[len(set)-5:len(set)]...) // benign ones
	path := filepath.Join(t.TempDir(), "inds.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSTIX(f, sample); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var back []snapshot.Indicator
	err = stixfile.ReadFile(path, func(obj []byte) error {
		ind, err := indicator.Decode(obj)
		if err != nil {
			return err
		}
		back = append(back, snapshot.FromIndicator(&ind))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(sample) {
		t.Fatalf("%d indicators read back, want %d", len(back), len(sample))
	}
	for i, want := range sample {
		got := back[i]
		if got.ID != want.ID || got.Pattern != want.Pattern || got.Benign != want.Benign || !got.Modified.Equal(want.Modified) {
			t.Errorf("%d: got %+v\nwant %+v", i, got, want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\ncr\r\x01\x1f", "C:\\Windows\\x", "ünïcode ✓", "bad\xffutf8", "<html>&"} {
		b := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q: %s: %v", s, b, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
			t.Errorf("%q: round trip gave %q", s, back)
		}
	}
}

func TestParseSchemas(t *testing.T) {
	s, err := ParseSchemas("ecs, text")
	if err != nil || len(s) != 2 || s[0] != ECS || s[1] != Text {
		t.Fatalf("%v, %v", s, err)
	}
	if s, _ := ParseSchemas("all"); len(s) != len(AllSchemas()) {
		t.Errorf("all: %v", s)
	}
	if _, err := ParseSchemas("ecs,cef"); err == nil {
		t.Error("unknown schema accepted")
	}
}
