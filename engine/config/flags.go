package config

import (
	"errors"
	"flag"
	"fmt"
)

// FlagConfig is the name of the flag that gives the configuration file.
const FlagConfig = "config"

// flagDefs are the keys that have a command-line flag. Every key has an
// environment variable; only these have a flag. Names avoid the generic
// ones ("file", "url") that a subcommand may want for itself.
var flagDefs = []struct{ name, path, usage string }{
	{"nats-url", "nats.url", "NATS server URLs, comma-separated; empty starts an embedded server"},
	{"nats-creds", "nats.creds_file", "NATS credentials file (JWT and NKey seed)"},
	{"subjects", "nats.subjects", "subjects to read events from, comma-separated (NATS wildcards)"},
	{"queue-group", "nats.queue_group", "NATS queue group shared by the matcher instances"},
	{"mode", "nats.mode", "core (at most once) or jetstream (at least once)"},
	{"validity", "matching.validity", "validity clock: event, arrival or off"},
	{"profile", "matching.profile", "event profile for every subject; empty detects it per event"},
	{"profiles-file", "matching.profiles_file", "YAML file of user event profiles"},
	{"workers", "matching.workers", "matching goroutines; 0 means GOMAXPROCS"},
	{"queue-size", "matching.queue_size", "bounded queue length between NATS and the workers"},
	{"max-event-bytes", "matching.max_event_bytes", "largest event accepted, e.g. 1MiB"},
	{"match-subdomains", "matching.match_subdomains", "a domain-name indicator also matches its subdomains"},
	{"suppress-window", "alerts.suppress_window", "fold repeats of an (indicator, observable) pair within this window; 0 disables"},
	{"source", "intel.source", "indicator feed: rest, taxii, file or none"},
	{"base-url", "intel.base_url", "Intelligence Center API host"},
	{"feed", "intel.feed_id", "feed id (the TAXII collection id)"},
	{"api-key-file", "intel.api_key_file", "file holding the API key (default: $SEKOIA_API_KEY)"},
	{"taxii-root", "intel.taxii_root", "TAXII API root URL, for --source taxii"},
	{"intel-file", "intel.file", "STIX file for --source file"},
	{"poll", "intel.poll_interval", "interval of incremental feed pulls"},
	{"store", "intel.store", "indicator store file (bbolt)"},
	{"enrich", "enrich.enabled", "enrich alerts with Intelligence Center context"},
	{"http", "http.listen", "address of the metrics, /healthz and /readyz endpoint; empty disables it"},
	{"log-level", "log.level", "debug, info, warn or error"},
	{"log-format", "log.format", "text or json"},
	{"shutdown-timeout", "shutdown.timeout", "budget for draining and flushing at shutdown"},
}

// FlagName returns the flag of a dotted key path, or "" when the key has
// no flag.
func FlagName(path string) string {
	for _, d := range flagDefs {
		if d.path == path {
			return d.name
		}
	}
	return ""
}

// flagValue is the flag.Value of one key. Set writes the parsed value
// into the bound Config and keeps the text, so that ApplyFlags can lay
// the flag over another Config.
type flagValue struct {
	c   *Config
	l   leaf
	raw string
}

func (v *flagValue) String() string {
	if v == nil || v.c == nil {
		return ""
	}
	return v.l.get(v.c)
}

func (v *flagValue) Set(s string) error {
	if err := v.l.set(v.c, s); err != nil {
		return fmt.Errorf("%s: %w", v.l.path, err)
	}
	v.raw = s
	return nil
}

// IsBoolFlag lets "--enrich" stand for "--enrich=true".
func (v *flagValue) IsBoolFlag() bool { return v != nil && v.l.kind == kindBool }

// BindFlags registers --config and the flags of flagDefs (see
// docs/config.md) on fs. The defaults shown by fs.PrintDefaults are c's
// values at the time of the call. A flag given on the command line is
// written into c when fs.Parse reads it; Resolve and ApplyFlags lay the
// flags that were set over another Config, so the usual sequence is:
//
//	flags := config.Default()
//	flags.BindFlags(fs)
//	if err := fs.Parse(args); err != nil { … }
//	cfg, err := config.Resolve(fs, os.Environ())
//
// BindFlags panics, as flag.FlagSet does, if fs already has one of the
// flags.
func (c *Config) BindFlags(fs *flag.FlagSet) {
	fs.String(FlagConfig, "", "YAML configuration file (default: $"+EnvConfig+")")
	for _, d := range flagDefs {
		l, ok := lookupLeaf(d.path)
		if !ok {
			continue // kept in step with the struct by the tests
		}
		fs.Var(&flagValue{c: c, l: l}, d.name, d.usage+" ("+d.path+", $"+l.env+")")
	}
}

// ApplyFlags overrides cfg with the flags bound by BindFlags that were
// set on fs's command line. Flags left at their defaults change nothing.
func ApplyFlags(cfg *Config, fs *flag.FlagSet) error {
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		if v, ok := f.Value.(*flagValue); ok {
			if err := v.l.set(cfg, v.raw); err != nil {
				errs = append(errs, fmt.Errorf("config: --%s: %w", f.Name, err))
			}
		}
	})
	return errors.Join(errs...)
}

// ConfigPath returns the configuration file named by --config on fs, or
// else by $MATCHER_CONFIG in environ; "" when neither is set.
func ConfigPath(fs *flag.FlagSet, environ []string) string {
	if f := fs.Lookup(FlagConfig); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	for i := len(environ) - 1; i >= 0; i-- {
		if len(environ[i]) > len(EnvConfig) && environ[i][:len(EnvConfig)+1] == EnvConfig+"=" {
			return environ[i][len(EnvConfig)+1:]
		}
	}
	return ""
}

// Resolve builds the effective configuration once fs (set up with
// BindFlags) has parsed the command line: Default, then the file given by
// ConfigPath, then ApplyEnv, then ApplyFlags, then Validate. environ is
// usually os.Environ().
func Resolve(fs *flag.FlagSet, environ []string) (Config, error) {
	cfg, err := Load(ConfigPath(fs, environ))
	if err != nil {
		return Config{}, err
	}
	if err := ApplyEnv(&cfg, environ); err != nil {
		return Config{}, err
	}
	if err := ApplyFlags(&cfg, fs); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}
