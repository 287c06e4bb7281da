package config

import "time"

// Values of NATS.Mode.
const (
	ModeCore      = "core"      // core NATS: at most once
	ModeJetStream = "jetstream" // JetStream pull consumer: at least once
)

// Values of Matching.Validity: which clock decides whether an indicator is
// valid for an event.
const (
	ValidityEvent   = "event"   // the event's own timestamp (arrival time when it has none)
	ValidityArrival = "arrival" // the time the event arrived
	ValidityOff     = "off"     // validity windows are ignored
)

// Values of Matching.CIDRBackend.
const (
	CIDRFlat      = "flat"
	CIDRCIDRanger = "cidranger"
)

// Values of Matching.SubstringBackend.
const (
	SubstringFlat       = "flat"
	SubstringCloudflare = "cloudflare"
)

// Values of Intel.Source.
const (
	SourceREST  = "rest"
	SourceTAXII = "taxii"
	SourceFile  = "file"
	SourceNone  = "none"
)

// EnvConfig names the environment variable that gives the configuration
// file when --config is not set.
const EnvConfig = "MATCHER_CONFIG"

// EnvPrefix starts every environment variable ApplyEnv reads.
const EnvPrefix = "MATCHER_"

// Config is the whole configuration. The zero value is not useful; start
// from Default. See docs/config.md for the meaning of every key.
type Config struct {
	NATS     NATS     `yaml:"nats"`
	Matching Matching `yaml:"matching"`
	Alerts   Alerts   `yaml:"alerts"`
	Intel    Intel    `yaml:"intel"`
	Enrich   Enrich   `yaml:"enrich"`
	HTTP     HTTP     `yaml:"http"`
	Log      Log      `yaml:"log"`
	Shutdown Shutdown `yaml:"shutdown"`
	Runtime  Runtime  `yaml:"runtime"`
}

// NATS is the connection to the event bus and the subjects used on it.
type NATS struct {
	// URL of the servers (comma-separated); empty starts an embedded server.
	URL          string   `yaml:"url"`
	Embedded     Embedded `yaml:"embedded"`
	User         string   `yaml:"user"`
	Password     string   `yaml:"password"`
	Token        string   `yaml:"token"`
	NKeySeedFile string   `yaml:"nkey_seed_file"`
	CredsFile    string   `yaml:"creds_file"`
	TLS          TLS      `yaml:"tls"`
	// Subjects the matcher subscribes to (NATS wildcards allowed).
	Subjects   []string `yaml:"subjects"`
	QueueGroup string   `yaml:"queue_group"`
	// Mode is ModeCore or ModeJetStream.
	Mode      string    `yaml:"mode"`
	JetStream JetStream `yaml:"jetstream"`
	// AlertSubjectPrefix: alerts go to <prefix>.<observable kind>.
	AlertSubjectPrefix string `yaml:"alert_subject_prefix"`
	// DeadLetterSubject: events that cannot be processed go to
	// <subject>.<reason>.
	DeadLetterSubject string        `yaml:"dead_letter_subject"`
	PendingLimits     PendingLimits `yaml:"pending_limits"`
}

// Embedded is the in-process nats-server started when NATS.URL is empty.
type Embedded struct {
	Host string `yaml:"host"`
	// Port -1 picks a free port.
	Port      int  `yaml:"port"`
	JetStream bool `yaml:"jetstream"`
	// StoreDir holds JetStream data; empty means a temporary directory.
	StoreDir string `yaml:"store_dir"`
}

// TLS configures the client side of a TLS connection to NATS.
type TLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// JetStream configures the at-least-once mode.
type JetStream struct {
	Stream        string        `yaml:"stream"`
	Durable       string        `yaml:"durable"`
	AlertsStream  string        `yaml:"alerts_stream"`
	AckWait       time.Duration `yaml:"ack_wait"`
	MaxAckPending int           `yaml:"max_ack_pending"`
	FetchBatch    int           `yaml:"fetch_batch"`
}

// PendingLimits are the slow-consumer limits of each core subscription.
type PendingLimits struct {
	Msgs  int  `yaml:"msgs"`
	Bytes Size `yaml:"bytes"`
}

// Matching configures the workers that match events.
type Matching struct {
	// Workers is the number of matching goroutines; 0 means GOMAXPROCS.
	Workers int `yaml:"workers"`
	// QueueSize bounds the alert queue and, in JetStream mode, the event
	// queue between the puller and the workers.
	QueueSize       int    `yaml:"queue_size"`
	Validity        string `yaml:"validity"`
	MatchSubdomains bool   `yaml:"match_subdomains"`
	MaxEventBytes   Size   `yaml:"max_event_bytes"`
	// TimeZone is the IANA zone of event times written without one;
	// empty means UTC.
	TimeZone string `yaml:"time_zone"`
	// Profile forces one event profile for every subject; empty detects
	// the profile per event.
	Profile string `yaml:"profile"`
	// Subjects maps subjects (NATS wildcards) to profiles; the first
	// matching entry wins over Profile.
	Subjects     []SubjectProfile `yaml:"subjects"`
	ProfilesFile string           `yaml:"profiles_file"`
	CIDRBackend  string           `yaml:"cidr_backend"`
	// SubstringBackend selects the substring automaton.
	SubstringBackend string `yaml:"substring_backend"`
	// Indicators are files loaded instead of the store.
	Indicators []string `yaml:"indicators"`
}

// SubjectProfile binds the events of a subject pattern to a profile.
type SubjectProfile struct {
	Subject string `yaml:"subject"`
	Profile string `yaml:"profile"`
}

// Alerts configures suppression and rate limits of alerts.
type Alerts struct {
	SuppressWindow   time.Duration `yaml:"suppress_window"`
	MaxPairs         int           `yaml:"max_pairs"`
	RatePerIndicator float64       `yaml:"rate_per_indicator"`
	Burst            int           `yaml:"burst"`
	IncludeRaw       bool          `yaml:"include_raw"`
}

// Intel configures the indicator feed and the store it fills.
type Intel struct {
	Source       string        `yaml:"source"`
	BaseURL      string        `yaml:"base_url"`
	FeedID       string        `yaml:"feed_id"`
	APIKeyFile   string        `yaml:"api_key_file"`
	TAXIIRoot    string        `yaml:"taxii_root"`
	File         string        `yaml:"file"`
	Limit        int           `yaml:"limit"`
	PollInterval time.Duration `yaml:"poll_interval"`
	Rate         float64       `yaml:"rate"`
	Timeout      time.Duration `yaml:"timeout"`
	Store        string        `yaml:"store"`
}

// Enrich configures context enrichment of alerts.
type Enrich struct {
	Enabled    bool          `yaml:"enabled"`
	Budget     time.Duration `yaml:"budget"`
	TTL        time.Duration `yaml:"ttl"`
	MaxEntries int           `yaml:"max_entries"`
	FollowUp   bool          `yaml:"follow_up"`
	FullBundle bool          `yaml:"full_bundle"`
}

// HTTP configures the operations endpoint (metrics, /healthz, /readyz).
type HTTP struct {
	// Listen is host:port; empty disables the endpoint.
	Listen string `yaml:"listen"`
	// Pprof serves the Go runtime profiles under /debug/pprof/ on the
	// same endpoint. Off by default: profiles expose internals.
	Pprof bool `yaml:"pprof"`
}

// Log configures the structured log.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Runtime tunes the Go runtime of `matcher run`.
type Runtime struct {
	// GCRunway bounds the garbage allowed between two collections once
	// the indicators are loaded (see docs/config.md); 0 keeps the Go
	// default (as much garbage as live heap).
	GCRunway Size `yaml:"gc_runway"`
}

// Shutdown configures the graceful stop.
type Shutdown struct {
	// Timeout bounds draining and flushing.
	Timeout time.Duration `yaml:"timeout"`
}

// Default returns the built-in configuration. Every call returns fresh
// slices.
func Default() Config {
	return Config{
		NATS: NATS{
			Embedded:           Embedded{Host: "127.0.0.1", Port: 4222, JetStream: true},
			Subjects:           []string{"logs.>"},
			QueueGroup:         "matcher",
			Mode:               ModeCore,
			JetStream:          JetStream{Stream: "LOGS", Durable: "matcher", AlertsStream: "ALERTS", AckWait: 30 * time.Second, MaxAckPending: 1024, FetchBatch: 256},
			AlertSubjectPrefix: "matcher.alerts",
			DeadLetterSubject:  "matcher.deadletter",
			PendingLimits:      PendingLimits{Msgs: 65536, Bytes: 64 * MiB},
		},
		Matching: Matching{
			QueueSize:        4096,
			Validity:         ValidityEvent,
			MaxEventBytes:    1 * MiB,
			CIDRBackend:      CIDRFlat,
			SubstringBackend: SubstringFlat,
		},
		Alerts: Alerts{
			SuppressWindow:   5 * time.Minute,
			MaxPairs:         100000,
			RatePerIndicator: 20,
			Burst:            40,
			IncludeRaw:       true,
		},
		Intel: Intel{
			Source:       SourceREST,
			BaseURL:      "https://api.sekoia.io/",
			FeedID:       "d6092c37-d8d7-45c3-8aff-c4dc26030608",
			Limit:        2000,
			PollInterval: 5 * time.Minute,
			Rate:         5,
			Timeout:      30 * time.Second,
			Store:        "matcher.db",
		},
		Enrich: Enrich{
			Enabled:    true,
			Budget:     2 * time.Second,
			TTL:        time.Hour,
			MaxEntries: 10000,
			FollowUp:   true,
		},
		HTTP:     HTTP{Listen: "127.0.0.1:9090"},
		Log:      Log{Level: "info", Format: "text"},
		Shutdown: Shutdown{Timeout: 30 * time.Second},
		Runtime:  Runtime{GCRunway: 256 * MiB},
	}
}
