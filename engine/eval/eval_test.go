package eval

import (
	"errors"
	"testing"

	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// obsFromJSON builds observations from a bundle written as JSON.
func obsFromJSON(t testing.TB, bundle string) []observation.Observation {
	t.Helper()
	v, err := observation.ParseJSON([]byte(bundle))
	if err != nil {
		t.Fatal(err)
	}
	obs, err := observation.FromBundles([]observation.Value{v})
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

const sample = `{"type":"bundle","objects":[
 {"type":"observed-data","id":"observed-data--1","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,
  "object_refs":["file--1","ipv4-addr--1","ipv6-addr--1","network-traffic--1","x-big--1"]},
 {"type":"file","id":"file--1","name":"evil.exe","hashes":{"SHA-256":"aa"},"size":100,
  "extensions":{"windows-pebinary-ext":{"sections":[{"entropy":7.9},{"entropy":1.5}]}}},
 {"type":"ipv4-addr","id":"ipv4-addr--1","value":"198.51.100.7"},
 {"type":"ipv6-addr","id":"ipv6-addr--1","value":"2001:db8:dead:beef::1"},
 {"type":"network-traffic","id":"network-traffic--1","src_ref":"ipv4-addr--1","dst_ref":"ipv6-addr--1","dst_port":443,"protocols":["tcp","tls"],
  "bad_ref":7,"text":"line one\nline two"},
 {"type":"x-big","id":"x-big--1","n":9007199254740993,"f":0.5}
]}`

func TestSemantics(t *testing.T) {
	obs := obsFromJSON(t, sample)
	cases := []struct {
		pattern string
		want    bool
		err     error
	}{
		{"[file:name = 'evil.exe']", true, nil},
		{"[EXISTS file:name]", true, nil},
		{"[NOT EXISTS file:name]", false, nil},
		{"[NOT EXISTS file:mime_type]", true, nil},
		{"[NOT EXISTS ipv4-addr:nothing]", true, nil},
		{"[file:mime_type != 'x']", false, nil},
		{"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0 AND file:extensions.'windows-pebinary-ext'.sections[*].entropy < 2.0]", true, nil},
		{"[file:extensions.'windows-pebinary-ext'.sections[1].entropy > 7.0]", false, nil},
		{"[file:extensions.'windows-pebinary-ext'.sections[-1].entropy < 7.0]", false, nil},
		{"[file:hashes.'sha-256' = 'aa']", false, nil},
		{"[file:name = 'evil.exe' AND ipv4-addr:value = '198.51.100.7']", false, nil},
		{"[file:name = 'evil.exe' OR ipv4-addr:value = '0.0.0.0']", true, nil},
		{"[network-traffic:src_ref.value = '198.51.100.7']", true, nil},
		{"[network-traffic:src_ref = 'ipv4-addr--1']", false, nil},
		{"[network-traffic:src_ref.type = 'ipv4-addr']", true, nil},
		{"[network-traffic:dst_ref.value ISSUBSET '2001:db8:dead:beef::/64']", true, nil},
		{"[network-traffic:dst_ref.value ISSUBSET '2001:db8:dead:beee::/64']", false, nil},
		{"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", true, nil},
		{"[ipv4-addr:value ISSUBSET '::ffff:198.51.100.0/120']", true, nil},
		{"[ipv4-addr:value ISSUBSET '0.0.0.0/0']", true, nil},
		{"[ipv4-addr:value ISSUBSET '198.51.100.7']", true, nil},
		{"[ipv4-addr:value ISSUBSET '2001:db8::/32']", false, nil},
		{"[ipv4-addr:value ISSUBSET 'not-a-cidr']", false, ErrInvalidData},
		{"[file:size NOT ISSUBSET 'not-a-cidr']", true, nil},
		{"[network-traffic:protocols[*] = 'tls']", true, nil},
		{"[network-traffic:protocols = 'tls']", false, nil},
		{"[network-traffic:dst_port IN (80, 443.0)]", true, nil},
		{"[network-traffic:dst_port NOT IN ()]", true, nil},
		{"[network-traffic:bad_ref.value = 'x']", false, ErrInvalidData},
		{"[network-traffic:text LIKE 'line%two']", true, nil},
		{`[network-traffic:text MATCHES 'one\\Z']`, false, nil},
		{`[network-traffic:text MATCHES 'two\\Z']`, true, nil},
		{"[x-big:n = 9007199254740992.0]", false, nil},
		{"[x-big:n > 9007199254740992.0]", true, nil},
		{"[x-big:n = 9007199254740993]", true, nil},
		{"[x-big:f < 1]", true, nil},
		{"[x-big:n NOT > h'01']", true, nil},
		{"[observed-data:number_observed = 1]", false, nil},
		{"[file:name = 'evil.exe'] AND [file:name = 'evil.exe']", false, nil},
		{"[file:name = 'evil.exe'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:01Z'", true, nil},
		{"[file:name = 'evil.exe'] START t'2019-12-31T23:59:59Z' STOP t'2020-01-01T00:00:00Z'", false, nil},
		{"[file:name = 'evil.exe'] WITHIN 0.001 SECONDS", true, nil},
	}
	for _, c := range cases {
		m, err := Compile(pattern.MustParse(c.pattern))
		if err != nil {
			t.Fatalf("Compile(%q): %v", c.pattern, err)
		}
		r, err := m.Match(obs, Options{})
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: error %v, want %v", c.pattern, err, c.err)
			}
			continue
		}
		if err != nil || r.Matched != c.want {
			t.Errorf("%s: matched=%v err=%v, want %v", c.pattern, r.Matched, err, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, src := range []string{
		"[a:b IN (1, 'x')]",
		"[a:b IN (1, true)]",
		"[a:b = 1] WITHIN 0 SECONDS",
		"[a:b = 1] REPEATS 0 TIMES",
		"[a:b MATCHES '(?<=x)y']",
		"[a:b = t'2021-02-30T00:00:00Z']",
		"[a:b = 1] START t'2016-12-31T23:59:60Z' STOP t'2017-01-01T00:00:00Z'",
	} {
		if _, err := Compile(pattern.MustParse(src)); !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("Compile(%q) = %v, want ErrInvalidPattern", src, err)
		}
	}
	if _, err := Compile(pattern.MustParse("[a:b IN (1, 2.5)]")); err != nil {
		t.Errorf("ints and floats may mix: %v", err)
	}
}

func TestWorkLimit(t *testing.T) {
	// 12 observations and 12 identical AND operands under a WITHIN that
	// only 11 fit: proving there is no binding needs a search.
	var objs string
	for i := 0; i < 12; i++ {
		objs += `,{"type":"observed-data","id":"observed-data--` + string(rune('a'+i)) + `","first_observed":"2020-01-01T00:00:` + twoDigits(i) + `Z","last_observed":"2020-01-01T00:00:` + twoDigits(i) + `Z","number_observed":1,"object_refs":["t--1"]}`
	}
	obs := obsFromJSON(t, `{"type":"bundle","objects":[{"type":"t","id":"t--1","v":1}`+objs+`]}`)
	src := "([t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1] AND [t:v = 1]) WITHIN 10 SECONDS"
	m, err := Compile(pattern.MustParse(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Match(obs, Options{})
	if err != nil || r.Matched {
		t.Fatalf("default budget: matched=%v err=%v", r.Matched, err)
	}
	if _, err := m.Match(obs, Options{MaxSteps: 3}); !errors.Is(err, ErrWorkLimit) {
		t.Fatalf("tiny budget: %v, want ErrWorkLimit", err)
	}
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10), byte('0' + i%10)}) }

func TestMatchOne(t *testing.T) {
	obs := obsFromJSON(t, sample)
	for src, want := range map[string]bool{
		"[file:name = 'evil.exe']":                            true,
		"[file:name = 'evil.exe'] OR [file:name = 'x']":       true,
		"[file:name = 'evil.exe'] AND [file:name = 'x']":      false,
		"[file:name = 'evil.exe'] REPEATS 2 TIMES":            false,
		"[file:name = 'evil.exe'] FOLLOWEDBY [file:size > 1]": false,
	} {
		m, err := Compile(pattern.MustParse(src))
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.MatchOne(&obs[0])
		if err != nil || got != want {
			t.Errorf("MatchOne(%s) = %v, %v; want %v", src, got, err, want)
		}
	}
}
