package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sample returns a text value for a leaf that differs from its default.
func sample(l leaf) string {
	switch l.kind {
	case kindString:
		return "v-" + l.path
	case kindBool:
		if l.get(ptr(Default())) == "true" {
			return "false"
		}
		return "true"
	case kindInt:
		return "77"
	case kindFloat:
		return "1.5"
	case kindDuration:
		return "42s"
	case kindSize:
		return "3MiB"
	case kindStrings:
		return "a.b, c.>"
	case kindSubjects:
		return "a.>=zeek, b.*=dns"
	}
	return ""
}

func ptr(c Config) *Config { return &c }

// Every leaf key can be set through its variable, and only that key
// changes.
func TestEveryKeyHasAnEnvVar(t *testing.T) {
	seen := map[string]string{}
	for _, l := range leaves() {
		if other, dup := seen[l.env]; dup {
			t.Fatalf("%s and %s share %s", l.path, other, l.env)
		}
		seen[l.env] = l.path
		c := Default()
		if err := ApplyEnv(&c, []string{l.env + "=" + sample(l)}); err != nil {
			t.Fatalf("%s: %v", l.env, err)
		}
		want := Default()
		if err := l.set(&want, sample(l)); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("%s changed more than %s", l.env, l.path)
		}
		if reflect.DeepEqual(c, Default()) {
			t.Errorf("%s changed nothing", l.env)
		}
	}
}

func TestEnvValues(t *testing.T) {
	c := Default()
	err := ApplyEnv(&c, []string{
		"MATCHER_NATS_URL=nats://a:1,nats://b:2",
		"MATCHER_NATS_SUBJECTS=logs.a.>, ,logs.b.*",
		"MATCHER_MATCHING_SUBJECTS=logs.zeek.>=zeek",
		"MATCHER_NATS_PENDING_LIMITS_BYTES=10 MB",
		"MATCHER_ALERTS_SUPPRESS_WINDOW=0",
		"MATCHER_MATCHING_INDICATORS=",
		"MATCHER_MATCHING_MATCH_SUBDOMAINS=1",
		"MATCHER_ALERTS_RATE_PER_INDICATOR=0.5",
		"MATCHER_LOG_LEVEL=info", "MATCHER_LOG_LEVEL=warn", // last one wins
		"MATCHER_CONFIG=/somewhere.yaml", // the file, not a key
		"NOT_MATCHER_X=1", "MATCHER", "=odd",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.NATS.URL != "nats://a:1,nats://b:2" || c.NATS.PendingLimits.Bytes != 10_000_000 || c.Alerts.SuppressWindow != 0 ||
		!c.Matching.MatchSubdomains || c.Alerts.RatePerIndicator != 0.5 || c.Log.Level != "warn" {
		t.Errorf("got %+v", c)
	}
	if !reflect.DeepEqual(c.NATS.Subjects, []string{"logs.a.>", "logs.b.*"}) ||
		!reflect.DeepEqual(c.Matching.Subjects, []SubjectProfile{{"logs.zeek.>", "zeek"}}) ||
		len(c.Matching.Indicators) != 0 {
		t.Errorf("lists: %q %q %q", c.NATS.Subjects, c.Matching.Subjects, c.Matching.Indicators)
	}
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	c := Default()
	err := ApplyEnv(&c, []string{
		"MATCHER_MATCHING_WORKERS=many",
		"MATCHER_NATS_JETSTREAM_ACK_WAIT=30",
		"MATCHER_MATCHING_MAX_EVENT_BYTES=1 pint",
		"MATCHER_ENRICH_ENABLED=yes please",
		"MATCHER_INTEL_RATE=NaN",
		"MATCHER_SHUTDOWN_TIMEOUT=",
		"MATCHER_MATCHING_SUBJECTS=logs.zeek",
		"MATCHER_NATS_URLL=nats://x",
	})
	for _, want := range []string{
		`config: MATCHER_MATCHING_WORKERS (matching.workers): invalid integer "many"`,
		`config: MATCHER_NATS_JETSTREAM_ACK_WAIT (nats.jetstream.ack_wait): invalid duration "30"`,
		`config: MATCHER_MATCHING_MAX_EVENT_BYTES (matching.max_event_bytes): invalid size "1 pint"`,
		`config: MATCHER_ENRICH_ENABLED (enrich.enabled): invalid bool "yes please"`,
		`config: MATCHER_INTEL_RATE (intel.rate): invalid number "NaN"`,
		`config: MATCHER_SHUTDOWN_TIMEOUT (shutdown.timeout): empty value`,
		`config: MATCHER_MATCHING_SUBJECTS (matching.subjects): invalid subject mapping "logs.zeek"`,
		`config: environment variable MATCHER_NATS_URLL names no configuration key`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The valid keys were not half-applied in a way that breaks anything:
	// errors leave the failing keys at their previous values.
	if c.Matching.Workers != 0 || c.Shutdown.Timeout != 30*time.Second {
		t.Errorf("failing keys changed: %+v", c)
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 8 {
		t.Errorf("want the 8 errors joined, got %v", err)
	}
}

func TestEnvName(t *testing.T) {
	for path, want := range map[string]string{
		"nats.url":                "MATCHER_NATS_URL",
		"matching.validity":       "MATCHER_MATCHING_VALIDITY",
		"alerts.suppress_window":  "MATCHER_ALERTS_SUPPRESS_WINDOW",
		"nats.jetstream.ack_wait": "MATCHER_NATS_JETSTREAM_ACK_WAIT",
	} {
		if got, ok := EnvName(path); !ok || got != want {
			t.Errorf("EnvName(%q) = %q, %v", path, got, ok)
		}
	}
	if _, ok := EnvName("nats"); ok {
		t.Error("a section has no variable")
	}
}
