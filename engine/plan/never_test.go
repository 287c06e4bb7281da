package plan

import (
	"strings"
	"testing"
)

// TestNeverTrue checks the authoring mistakes that make a comparison
// impossible, and that correct comparisons are not flagged.
func TestNeverTrue(t *testing.T) {
	cases := []struct {
		pattern string
		warn    string // "" when no warning is expected
	}{
		{"[http-request-ext:request_method = 'get']", "not a STIX 2.1 cyber-observable type"},
		{"[network-traffic:dst_port = '443']", "dst_port is an integer"},
		{"[network-traffic:protocols = 'tcp']", "protocols[*]"},
		{"[network-traffic:extensions.'http-request-ext'.'User-Agent' = 'Mozilla/5.0']", "request_header.'User-Agent'"},
		{"[network-traffic:extensions.'http-request-ext'.uri = '/a']", `"uri" is not a property of http-request-ext`},
		{"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla/5.0']", ""},
		{"[network-traffic:extensions.'http-request-ext'.request_method = 'get']", ""},
		{"[network-traffic:extensions.'http-request-ext'.message_body_length > 10]", ""},
		{"[network-traffic:dst_port = 443]", ""},
		{"[network-traffic:protocols[*] = 'tcp']", ""},
		{"[x-custom:value = 'a']", ""},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern, "stix", Options{})
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		got := strings.Join(p.Warnings, "\n")
		switch {
		case c.warn == "" && got != "":
			t.Errorf("%s: unexpected warning %q", c.pattern, got)
		case c.warn != "" && !strings.Contains(got, c.warn):
			t.Errorf("%s: warnings %q do not say %q", c.pattern, got, c.warn)
		}
	}
}
