package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" means valid
	}{
		{"validity", func(c *Config) { c.Matching.Validity = "x" }, `config: matching.validity: must be event, arrival or off, got "x"`},
		{"mode", func(c *Config) { c.NATS.Mode = "push" }, `config: nats.mode: must be core or jetstream, got "push"`},
		{"url scheme", func(c *Config) { c.NATS.URL = "http://x:4222" }, `config: nats.url: server URL scheme must be nats, tls, ws or wss, got "http"`},
		{"url list", func(c *Config) { c.NATS.URL = "nats://a:4222,,nats://b" }, `config: nats.url: empty server URL in the list`},
		{"url bare", func(c *Config) { c.NATS.URL = "n1:4222, tls://n2:4222" }, ""},
		{"url bad port keeps password out", func(c *Config) { c.NATS.URL = "nats://u:s3cret@h:port" }, `config: nats.url: invalid server URL`},
		{"embedded port", func(c *Config) { c.NATS.Embedded.Port = 0 }, `config: nats.embedded.port: must be -1 (a free port) or 1..65535, got 0`},
		{"embedded port ignored with url", func(c *Config) { c.NATS.Embedded.Port = 0; c.NATS.URL = "nats://x" }, ""},
		{"embedded js", func(c *Config) { c.NATS.Mode = ModeJetStream; c.NATS.Embedded.JetStream = false }, `config: nats.embedded.jetstream: must be true`},
		{"two auth methods", func(c *Config) { c.NATS.Token = "t"; c.NATS.CredsFile = "c" }, `config: nats.user: set one authentication method only`},
		{"password alone", func(c *Config) { c.NATS.Password = "p" }, `config: nats.password: needs nats.user`},
		{"user and password", func(c *Config) { c.NATS.User, c.NATS.Password = "u", "p" }, ""},
		{"tls pair", func(c *Config) { c.NATS.TLS.CertFile = "c.pem" }, `config: nats.tls.cert_file: nats.tls.cert_file and nats.tls.key_file go together`},
		{"no subjects", func(c *Config) { c.NATS.Subjects = nil }, `config: nats.subjects: must list at least one subject`},
		{"subject >", func(c *Config) { c.NATS.Subjects = []string{"logs.>.x"} }, `config: nats.subjects: subject "logs.>.x": ">" must be the last token`},
		{"subject token", func(c *Config) { c.NATS.Subjects = []string{"logs..x"} }, `has an empty token`},
		{"subject partial wildcard", func(c *Config) { c.NATS.Subjects = []string{"logs.a*"} }, `wildcards must be whole tokens`},
		{"subject space", func(c *Config) { c.NATS.Subjects = []string{"logs a"} }, `contains white space`},
		{"queue group", func(c *Config) { c.NATS.QueueGroup = "a b" }, `config: nats.queue_group: must not contain white space`},
		{"queue group empty", func(c *Config) { c.NATS.QueueGroup = "" }, ""},
		{"js stream", func(c *Config) { c.NATS.Mode = ModeJetStream; c.NATS.JetStream.Stream = "a.b" }, `config: nats.jetstream.stream: "a.b" must not contain`},
		{"js durable", func(c *Config) { c.NATS.Mode = ModeJetStream; c.NATS.JetStream.Durable = "" }, `config: nats.jetstream.durable: must not be empty`},
		{"js ack wait", func(c *Config) { c.NATS.Mode = ModeJetStream; c.NATS.JetStream.AckWait = 0 }, `config: nats.jetstream.ack_wait: must be a positive duration, got 0s`},
		{"js max ack pending", func(c *Config) { c.NATS.Mode = ModeJetStream; c.NATS.JetStream.MaxAckPending = 0 }, `config: nats.jetstream.max_ack_pending: must be -1 (unlimited) or at least 1, got 0`},
		{"js fetch", func(c *Config) { c.NATS.Mode = ModeJetStream; c.NATS.JetStream.FetchBatch = 0 }, `config: nats.jetstream.fetch_batch: must be at least 1, got 0`},
		{"js ignored in core", func(c *Config) { c.NATS.JetStream.FetchBatch = 0 }, ""},
		{"alert prefix wildcard", func(c *Config) { c.NATS.AlertSubjectPrefix = "alerts.>" }, `config: nats.alert_subject_prefix: subject "alerts.>" must not contain wildcards`},
		{"dead letter", func(c *Config) { c.NATS.DeadLetterSubject = "" }, `config: nats.dead_letter_subject: empty subject`},
		{"pending msgs", func(c *Config) { c.NATS.PendingLimits.Msgs = 0 }, `config: nats.pending_limits.msgs: must be at least 1, got 0`},
		{"pending bytes", func(c *Config) { c.NATS.PendingLimits.Bytes = 0 }, `config: nats.pending_limits.bytes: must be at least 1 byte, got 0`},
		{"workers", func(c *Config) { c.Matching.Workers = -1 }, `config: matching.workers: must be 0 (GOMAXPROCS) to 65536, got -1`},
		{"queue", func(c *Config) { c.Matching.QueueSize = 0 }, `config: matching.queue_size: must be at least 1, got 0`},
		{"max event", func(c *Config) { c.Matching.MaxEventBytes = 2 * GiB }, `config: matching.max_event_bytes: must be 1 byte to 1GiB, got 2GiB`},
		{"subject profile", func(c *Config) { c.Matching.Subjects = []SubjectProfile{{"a.>", "zeek"}, {"b", ""}} }, `config: matching.subjects[1].profile: must name a profile`},
		{"subject profile subject", func(c *Config) { c.Matching.Subjects = []SubjectProfile{{"", "zeek"}} }, `config: matching.subjects[0].subject: empty subject`},
		{"cidr", func(c *Config) { c.Matching.CIDRBackend = "trie" }, `config: matching.cidr_backend: must be flat or cidranger, got "trie"`},
		{"substring", func(c *Config) { c.Matching.SubstringBackend = "ac" }, `config: matching.substring_backend: must be flat or cloudflare, got "ac"`},
		{"indicator file", func(c *Config) { c.Matching.Indicators = []string{"a", " "} }, `config: matching.indicators[1]: empty file name`},
		{"suppress", func(c *Config) { c.Alerts.SuppressWindow = -time.Second }, `config: alerts.suppress_window: must not be negative, got -1s`},
		{"suppress off", func(c *Config) { c.Alerts.SuppressWindow = 0 }, ""},
		{"max pairs", func(c *Config) { c.Alerts.MaxPairs = 0 }, `config: alerts.max_pairs: must be at least 1, got 0`},
		{"rate", func(c *Config) { c.Alerts.RatePerIndicator = -1 }, `config: alerts.rate_per_indicator: must not be negative`},
		{"burst", func(c *Config) { c.Alerts.Burst = 0 }, `config: alerts.burst: must be at least 1, got 0`},
		{"burst unlimited", func(c *Config) { c.Alerts.Burst, c.Alerts.RatePerIndicator = 0, 0 }, ""},
		{"source", func(c *Config) { c.Intel.Source = "ftp" }, `config: intel.source: must be rest, taxii, file or none, got "ftp"`},
		{"base url", func(c *Config) { c.Intel.BaseURL = "api.sekoia.io" }, `config: intel.base_url: URL must start with https:// or http://`},
		{"base url password", func(c *Config) { c.Intel.BaseURL = "ftp://u:s3cret@h/" }, `config: intel.base_url: URL must start with https:// or http://, got "ftp://u:xxxxx@h/"`},
		{"feed", func(c *Config) { c.Intel.FeedID = "" }, `config: intel.feed_id: must not be empty for intel.source rest`},
		{"file source", func(c *Config) { c.Intel.Source = SourceFile }, `config: intel.file: must name a file for intel.source file`},
		{"taxii root", func(c *Config) { c.Intel.TAXIIRoot = "/x" }, `config: intel.taxii_root: URL must start with`},
		{"limit", func(c *Config) { c.Intel.Limit = 2001 }, `config: intel.limit: must be 1 to 2000, got 2001`},
		{"poll", func(c *Config) { c.Intel.PollInterval = 0 }, `config: intel.poll_interval: must be a positive duration`},
		{"intel rate", func(c *Config) { c.Intel.Rate = -1 }, `config: intel.rate: must not be negative`},
		{"timeout", func(c *Config) { c.Intel.Timeout = 0 }, `config: intel.timeout: must be a positive duration`},
		{"store for sync", func(c *Config) { c.Intel.Store = "" }, `config: intel.store: must name the store file that intel.source rest fills`},
		{"store or files", func(c *Config) { c.Intel.Store, c.Intel.Source = "", SourceNone }, `config: intel.store: must name a store file when matching.indicators is empty`},
		{"files only", func(c *Config) {
			c.Intel.Store, c.Intel.Source, c.Matching.Indicators = "", SourceNone, []string{"i.jsonl"}
		}, ""},
		{"enrich ttl", func(c *Config) { c.Enrich.TTL = 0 }, `config: enrich.ttl: must be a positive duration`},
		{"enrich budget", func(c *Config) { c.Enrich.Budget = -1 }, `config: enrich.budget: must not be negative`},
		{"enrich entries", func(c *Config) { c.Enrich.MaxEntries = 0 }, `config: enrich.max_entries: must be at least 1`},
		{"listen", func(c *Config) { c.HTTP.Listen = "9090" }, `config: http.listen: must be host:port or :port, got "9090"`},
		{"time zone", func(c *Config) { c.Matching.TimeZone = "Mars/Olympus_Mons" }, `config: matching.time_zone: unknown time zone "Mars/Olympus_Mons" (an IANA name such as Europe/Paris)`},
		{"listen port", func(c *Config) { c.HTTP.Listen = ":http" }, `config: http.listen: port must be 0 to 65535, got "http"`},
		{"listen off", func(c *Config) { c.HTTP.Listen = "" }, ""},
		{"listen any", func(c *Config) { c.HTTP.Listen = ":0" }, ""},
		{"level", func(c *Config) { c.Log.Level = "trace" }, `config: log.level: must be debug, info, warn or error, got "trace"`},
		{"format", func(c *Config) { c.Log.Format = "xml" }, `config: log.format: must be text or json, got "xml"`},
		{"shutdown", func(c *Config) { c.Shutdown.Timeout = 0 }, `config: shutdown.timeout: must be a positive duration`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mutate(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error leaks a password: %v", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("no FieldError in %v", err)
			}
			if key, ok := strings.CutPrefix(tc.want, "config: "); ok {
				if key, _, _ = strings.Cut(key, ":"); fe.Key != key {
					t.Fatalf("FieldError key %q, want %q", fe.Key, key)
				}
			}
		})
	}
}

func TestValidateReportsAll(t *testing.T) {
	c := Default()
	c.Log.Level, c.Log.Format, c.Matching.Validity = "x", "y", "z"
	err := c.Validate()
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
}
