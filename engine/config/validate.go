package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// FieldError is one invalid key found by Validate.
type FieldError struct {
	Key string // dotted path, e.g. "matching.validity"
	Msg string
}

func (e *FieldError) Error() string { return "config: " + e.Key + ": " + e.Msg }

// validator collects FieldErrors.
type validator struct{ errs []error }

func (v *validator) add(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) oneOf(key, got string, allowed ...string) {
	for _, a := range allowed {
		if got == a {
			return
		}
	}
	list := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	v.add(key, "must be %s, got %q", list, got)
}

func (v *validator) atLeast(key string, got, min int) {
	if got < min {
		v.add(key, "must be at least %d, got %d", min, got)
	}
}

func (v *validator) positive(key string, d time.Duration) {
	if d <= 0 {
		v.add(key, "must be a positive duration, got %s", d)
	}
}

func (v *validator) nonNegative(key string, d time.Duration) {
	if d < 0 {
		v.add(key, "must not be negative, got %s", d)
	}
}

// Validate checks every key and returns all problems joined, each a
// *FieldError naming its key, e.g.
// `config: matching.validity: must be event, arrival or off, got "x"`.
func (c *Config) Validate() error {
	var v validator
	c.NATS.validate(&v)
	c.validateMatching(&v)
	c.validateAlerts(&v)
	c.validateIntel(&v)
	e := c.Enrich
	v.nonNegative("enrich.budget", e.Budget)
	v.positive("enrich.ttl", e.TTL)
	v.atLeast("enrich.max_entries", e.MaxEntries, 1)
	if c.HTTP.Listen != "" {
		if err := checkListen(c.HTTP.Listen); err != nil {
			v.add("http.listen", "%v", err)
		}
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")
	v.positive("shutdown.timeout", c.Shutdown.Timeout)
	if c.Runtime.GCRunway < 0 {
		v.add("runtime.gc_runway", "must be 0 or more, got %s", c.Runtime.GCRunway)
	}
	return errors.Join(v.errs...)
}

func (n *NATS) validate(v *validator) {
	if n.URL == "" {
		if n.Embedded.Host == "" {
			v.add("nats.embedded.host", "must not be empty when nats.url is empty (embedded server)")
		}
		if p := n.Embedded.Port; p != -1 && (p < 1 || p > 65535) {
			v.add("nats.embedded.port", "must be -1 (a free port) or 1..65535, got %d", p)
		}
		if n.Mode == ModeJetStream && !n.Embedded.JetStream {
			v.add("nats.embedded.jetstream", "must be true when nats.mode is jetstream and the server is embedded")
		}
	} else {
		for item := range strings.SplitSeq(n.URL, ",") {
			if err := checkNATSURL(strings.TrimSpace(item)); err != nil {
				v.add("nats.url", "%v", err)
			}
		}
	}
	methods := 0
	for _, set := range []bool{n.User != "" || n.Password != "", n.Token != "", n.NKeySeedFile != "", n.CredsFile != ""} {
		if set {
			methods++
		}
	}
	if methods > 1 {
		v.add("nats.user", "set one authentication method only: user and password, token, nkey_seed_file or creds_file")
	}
	if n.Password != "" && n.User == "" {
		v.add("nats.password", "needs nats.user")
	}
	if (n.TLS.CertFile == "") != (n.TLS.KeyFile == "") {
		v.add("nats.tls.cert_file", "nats.tls.cert_file and nats.tls.key_file go together")
	}
	if len(n.Subjects) == 0 {
		v.add("nats.subjects", "must list at least one subject")
	}
	for _, s := range n.Subjects {
		if err := checkSubject(s, true); err != nil {
			v.add("nats.subjects", "%v", err)
		}
	}
	if strings.ContainsFunc(n.QueueGroup, unicode.IsSpace) {
		v.add("nats.queue_group", "must not contain white space, got %q", n.QueueGroup)
	}
	v.oneOf("nats.mode", n.Mode, ModeCore, ModeJetStream)
	if n.Mode == ModeJetStream {
		js := n.JetStream
		if err := checkName(js.Stream); err != nil {
			v.add("nats.jetstream.stream", "%v", err)
		}
		if err := checkName(js.Durable); err != nil {
			v.add("nats.jetstream.durable", "%v", err)
		}
		if js.AlertsStream != "" {
			if err := checkName(js.AlertsStream); err != nil {
				v.add("nats.jetstream.alerts_stream", "%v", err)
			}
		}
		v.positive("nats.jetstream.ack_wait", js.AckWait)
		if js.MaxAckPending != -1 && js.MaxAckPending < 1 {
			v.add("nats.jetstream.max_ack_pending", "must be -1 (unlimited) or at least 1, got %d", js.MaxAckPending)
		}
		v.atLeast("nats.jetstream.fetch_batch", js.FetchBatch, 1)
	}
	if err := checkSubject(n.AlertSubjectPrefix, false); err != nil {
		v.add("nats.alert_subject_prefix", "%v", err)
	}
	if err := checkSubject(n.DeadLetterSubject, false); err != nil {
		v.add("nats.dead_letter_subject", "%v", err)
	}
	v.atLeast("nats.pending_limits.msgs", n.PendingLimits.Msgs, 1)
	if n.PendingLimits.Bytes < 1 {
		v.add("nats.pending_limits.bytes", "must be at least 1 byte, got %s", n.PendingLimits.Bytes)
	}
}

func (c *Config) validateMatching(v *validator) {
	m := c.Matching
	if m.Workers < 0 || m.Workers > 1<<16 {
		v.add("matching.workers", "must be 0 (GOMAXPROCS) to 65536, got %d", m.Workers)
	}
	v.atLeast("matching.queue_size", m.QueueSize, 1)
	v.oneOf("matching.validity", m.Validity, ValidityEvent, ValidityArrival, ValidityOff)
	if m.TimeZone != "" {
		if _, err := time.LoadLocation(m.TimeZone); err != nil {
			v.add("matching.time_zone", "unknown time zone %q (an IANA name such as Europe/Paris)", m.TimeZone)
		}
	}
	if m.MaxEventBytes < 1 || m.MaxEventBytes > GiB {
		v.add("matching.max_event_bytes", "must be 1 byte to 1GiB, got %s", m.MaxEventBytes)
	}
	for i, sp := range m.Subjects {
		key := fmt.Sprintf("matching.subjects[%d]", i)
		if err := checkSubject(sp.Subject, true); err != nil {
			v.add(key+".subject", "%v", err)
		}
		if sp.Profile == "" {
			v.add(key+".profile", "must name a profile")
		}
	}
	v.oneOf("matching.cidr_backend", m.CIDRBackend, CIDRFlat, CIDRCIDRanger)
	v.oneOf("matching.substring_backend", m.SubstringBackend, SubstringFlat, SubstringCloudflare)
	for i, f := range m.Indicators {
		if strings.TrimSpace(f) == "" {
			v.add(fmt.Sprintf("matching.indicators[%d]", i), "empty file name")
		}
	}
}

func (c *Config) validateAlerts(v *validator) {
	a := c.Alerts
	v.nonNegative("alerts.suppress_window", a.SuppressWindow)
	v.atLeast("alerts.max_pairs", a.MaxPairs, 1)
	if a.RatePerIndicator < 0 {
		v.add("alerts.rate_per_indicator", "must not be negative (0 is unlimited), got %g", a.RatePerIndicator)
	}
	if a.RatePerIndicator > 0 {
		v.atLeast("alerts.burst", a.Burst, 1)
	}
}

func (c *Config) validateIntel(v *validator) {
	in := c.Intel
	v.oneOf("intel.source", in.Source, SourceREST, SourceTAXII, SourceFile, SourceNone)
	switch in.Source {
	case SourceREST, SourceTAXII:
		if err := checkHTTPURL(in.BaseURL); err != nil {
			v.add("intel.base_url", "%v", err)
		}
		if strings.TrimSpace(in.FeedID) == "" {
			v.add("intel.feed_id", "must not be empty for intel.source %s", in.Source)
		}
	case SourceFile:
		if in.File == "" {
			v.add("intel.file", "must name a file for intel.source file")
		}
	}
	if in.TAXIIRoot != "" {
		if err := checkHTTPURL(in.TAXIIRoot); err != nil {
			v.add("intel.taxii_root", "%v", err)
		}
	}
	if in.Limit < 1 || in.Limit > 2000 {
		v.add("intel.limit", "must be 1 to 2000, got %d", in.Limit)
	}
	v.positive("intel.poll_interval", in.PollInterval)
	if in.Rate < 0 {
		v.add("intel.rate", "must not be negative (0 is unlimited), got %g", in.Rate)
	}
	v.positive("intel.timeout", in.Timeout)
	if in.Store == "" {
		if in.Source != SourceNone {
			v.add("intel.store", "must name the store file that intel.source %s fills", in.Source)
		} else if len(c.Matching.Indicators) == 0 {
			v.add("intel.store", "must name a store file when matching.indicators is empty")
		}
	}
}

// checkSubject checks a NATS subject; wildcards ("*" and a final ">")
// are allowed in subscriptions only.
func checkSubject(s string, wildcards bool) error {
	if s == "" {
		return errors.New("empty subject")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("subject %q contains white space", s)
	}
	tokens := strings.Split(s, ".")
	for i, t := range tokens {
		switch {
		case t == "":
			return fmt.Errorf("subject %q has an empty token", s)
		case t == "*" || t == ">":
			if !wildcards {
				return fmt.Errorf("subject %q must not contain wildcards", s)
			}
			if t == ">" && i != len(tokens)-1 {
				return fmt.Errorf("subject %q: \">\" must be the last token", s)
			}
		case strings.ContainsAny(t, "*>"):
			return fmt.Errorf("subject %q: wildcards must be whole tokens", s)
		}
	}
	return nil
}

// checkName checks a JetStream stream or consumer name.
func checkName(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(".*>/\\", r)
	}) {
		return fmt.Errorf("%q must not contain white space, '.', '*', '>', '/' or '\\'", s)
	}
	return nil
}

func checkNATSURL(s string) error {
	if s == "" {
		return errors.New("empty server URL in the list")
	}
	if !strings.Contains(s, "://") {
		s = "nats://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid server URL: %v", urlReason(err))
	}
	switch u.Scheme {
	case "nats", "tls", "ws", "wss":
	default:
		return fmt.Errorf("server URL scheme must be nats, tls, ws or wss, got %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("server URL %q has no host", u.Redacted())
	}
	return nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL: %v", urlReason(err))
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("URL must start with https:// or http://, got %q", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("URL %q has no host", u.Redacted())
	}
	return nil
}

func checkListen(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("must be host:port or :port, got %q", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port must be 0 to 65535, got %q", port)
	}
	return nil
}

// urlReason drops the URL from a url.Parse error: it may hold a password.
func urlReason(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
