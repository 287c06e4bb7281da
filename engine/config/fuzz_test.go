package config

import (
	"os"
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary YAML to Parse: it must return a Config or an
// error, never panic, and a Config it returns must survive Validate,
// Redacted and a YAML round trip.
func FuzzParse(f *testing.F) {
	full, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	def, err := Default().YAML()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	for _, s := range []string{
		"", "nats: hello\n", "matching:\n  subjects:\n    - {subject: a.>, profile: z}\n",
		"a: &x {b: 1}\nnats: *x\n", "nats:\n  <<: {url: nats://x}\n", "matching: {max_event_bytes: 1GiB}\n",
		"log: {level: info}\n---\nlog: {}\n", "[1, 2]\n", "nats: {subjects: [[a]]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		_ = c.Validate()
		out, err := c.Redacted().YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		if c.NATS.Password != "" || c.NATS.Token != "" || c.NATS.URL != "" || c.Intel.BaseURL != Default().Intel.BaseURL || c.Intel.TAXIIRoot != "" {
			return // redaction changes these; the round trip below is for the rest
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normalize(back), normalize(c)) {
			t.Fatalf("round trip differs:\n%s", out)
		}
	})
}

// FuzzEnv feeds arbitrary values to every variable kind.
func FuzzEnv(f *testing.F) {
	for _, s := range []string{"", "1", "64MiB", "5m", "a.>=z,b=", "true", "NaN", "-0", "1e400"} {
		f.Add(uint8(0), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		ls := leaves()
		l := ls[int(which)%len(ls)]
		c := Default()
		if err := ApplyEnv(&c, []string{l.env + "=" + value}); err != nil {
			return
		}
		// What was accepted formats back to something that parses again
		// to the same value.
		text := l.get(&c)
		v, err := parseValue(l.kind, text)
		if err != nil {
			t.Fatalf("%s: %q accepted, formatted %q does not parse: %v", l.env, value, text, err)
		}
		if formatValue(l.kind, v) != text {
			t.Fatalf("%s: %q → %q → %q", l.env, value, text, formatValue(l.kind, v))
		}
	})
}
