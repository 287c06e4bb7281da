package config

import (
	"net/url"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// redactedMark replaces credentials inside URLs.
const redactedMark = "REDACTED"

// Redacted returns a copy fit for printing or logging: nats.password and
// nats.token are emptied, and credentials embedded in URLs
// (nats://user:pass@host, nats://token@host, https://user:pass@host) are
// replaced by REDACTED. File paths (creds, keys) are kept: they are not
// secrets. The API key is never in a Config.
func (c Config) Redacted() Config {
	r := c
	r.NATS.Subjects = slices.Clone(c.NATS.Subjects)
	r.Matching.Subjects = slices.Clone(c.Matching.Subjects)
	r.Matching.Indicators = slices.Clone(c.Matching.Indicators)
	r.NATS.Password = ""
	r.NATS.Token = ""
	var urls []string
	for item := range strings.SplitSeq(c.NATS.URL, ",") {
		urls = append(urls, redactURL(item))
	}
	r.NATS.URL = strings.Join(urls, ",")
	r.Intel.BaseURL = redactURL(c.Intel.BaseURL)
	r.Intel.TAXIIRoot = redactURL(c.Intel.TAXIIRoot)
	return r
}

// redactURL hides the user information of a URL. A string that does not
// parse is hidden whole when it might hold user information.
func redactURL(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	t := strings.TrimSpace(s)
	scheme := ""
	if !strings.Contains(t, "://") {
		scheme = "nats://" // a bare host:port entry of a NATS server list
	}
	u, err := url.Parse(scheme + t)
	if err != nil || u.User == nil {
		if err != nil {
			return redactedMark
		}
		return s
	}
	if _, hasPass := u.User.Password(); hasPass {
		u.User = url.UserPassword(u.User.Username(), redactedMark)
	} else {
		u.User = url.User(redactedMark) // a bare token
	}
	return strings.TrimPrefix(u.String(), scheme)
}

// YAML renders the configuration as a YAML document that Parse reads
// back. Call it on Redacted() before printing.
func (c Config) YAML() ([]byte, error) { return yaml.Marshal(c) }
