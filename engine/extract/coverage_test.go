package extract

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/observable"
)

// This test is the "every event yields the observables a person would
// expect" check over the whole real file. Expectations are computed
// independently with encoding/json and net/netip, field by field.

var ipv4Literal = regexp.MustCompile(`(?:^|[^0-9.])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?:$|[^0-9.])`)

type expectation struct {
	kind  observable.Kind
	role  observable.Role // RoleNone: any role
	text  string
	field string
}

func (e expectation) String() string {
	return fmt.Sprintf("%v/%v %q (from %s)", e.kind, e.role, e.text, e.field)
}

// canon canonicalises for the expectation, or returns "".
func canon(k observable.Kind, v string) string {
	out, err := observable.AppendCanonical(nil, k, []byte(v))
	if err != nil {
		return ""
	}
	return string(out)
}

// zeekExpectations lists what a reader of the Zeek documentation expects
// from one event, under both key flavours.
func zeekExpectations(m map[string]any) []expectation {
	var out []expectation
	get := func(key string) (any, bool) {
		if v, ok := m[key]; ok {
			return v, true
		}
		v, ok := m[strings.ReplaceAll(key, ".", "_")]
		return v, ok
	}
	str := func(key string) string {
		v, _ := get(key)
		s, _ := v.(string)
		return s
	}
	list := func(key string) []string {
		v, _ := get(key)
		var out []string
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out
	}
	num := func(key string) (int, bool) {
		v, ok := get(key)
		f, isNum := v.(float64)
		return int(f), ok && isNum
	}
	ip := func(field string, role observable.Role) {
		for _, s := range list(field) {
			if a, err := netip.ParseAddr(s); err == nil {
				k := observable.IPv4
				if a.Unmap().Is6() {
					k = observable.IPv6
				}
				out = append(out, expectation{k, role, a.Unmap().WithZone("").String(), field})
			}
		}
	}
	kind := func(field string, k observable.Kind, role observable.Role) {
		for _, s := range list(field) {
			if c := canon(k, s); c != "" {
				out = append(out, expectation{k, role, c, field})
			}
		}
	}
	host := func(field string, role observable.Role) {
		for _, s := range list(field) {
			if _, err := netip.ParseAddr(s); err == nil {
				ip(field, role)
			} else if c := canon(observable.Domain, s); c != "" {
				out = append(out, expectation{observable.Domain, role, c, field})
			}
		}
	}
	path := str("_path")
	if path == "" {
		path = str("@stream")
	}
	ip("id.orig_h", observable.RoleSource)
	ip("id.resp_h", observable.RoleDestination)
	if p, ok := num("id.resp_p"); ok && p != 0 { // port 0 (ICMP, unset) makes no pair
		if a, err := netip.ParseAddr(str("id.resp_h")); err == nil {
			out = append(out, expectation{observable.AddrPort, observable.RoleDestination,
				netip.AddrPortFrom(a, uint16(p)).String(), "id.resp_h+id.resp_p"})
		}
	}
	switch path {
	case "dns":
		kind("query", observable.Domain, observable.RoleDNSQuery)
		host("answers", observable.RoleDNSAnswer)
	case "ssl":
		host("server_name", observable.RoleTLSSNI)
		kind("ja3", observable.JA3, observable.RoleClient)
		kind("resp_certificate_sha1", observable.SHA1, observable.RoleCertificate)
		kind("cert_chain_fps", observable.SHA256, observable.RoleCertificate)
	case "x509":
		kind("certificate.serial", observable.X509Serial, observable.RoleCertificate)
		kind("certificate.subject", observable.X509Subject, observable.RoleCertSubject)
		kind("certificate.issuer", observable.X509Subject, observable.RoleCertIssuer)
		kind("san.dns", observable.Domain, observable.RoleCertSubject)
		kind("san.email", observable.Email, observable.RoleCertSubject)
		ip("san.ip", observable.RoleCertSubject)
		kind("fingerprint", observable.SHA256, observable.RoleCertificate)
	case "http":
		host("host", observable.RoleHTTPHost)
		kind("user_agent", observable.UserAgent, observable.RoleUserAgent)
		if h, u := str("host"), str("uri"); h != "" && strings.HasPrefix(u, "/") {
			out = append(out, expectation{observable.URL, observable.RoleURL, canon(observable.URL, "http://"+h+u), "host+uri"})
		}
	case "files":
		kind("md5", observable.MD5, observable.RoleFile)
		kind("sha1", observable.SHA1, observable.RoleFile)
		kind("sha256", observable.SHA256, observable.RoleFile)
		kind("filename", observable.FilePath, observable.RoleFile)
		ip("tx_hosts", observable.RoleSource)
		ip("rx_hosts", observable.RoleDestination)
	case "smtp":
		host("helo", observable.RoleSMTPHelo)
		kind("mailfrom", observable.Email, observable.RoleEmailFrom)
		kind("rcptto", observable.Email, observable.RoleEmailTo)
		ip("path", observable.RoleHost)
	case "notice":
		ip("src", observable.RoleSource)
		ip("dst", observable.RoleDestination)
	case "known_hosts", "software":
		ip("host", observable.RoleHost)
	case "known_services", "known_certs":
		ip("host", observable.RoleDestination)
	case "known_certs_serial":
	case "ftp":
		ip("data_channel.resp_h", observable.RoleDestination)
		kind("user", observable.UserAccount, observable.RoleUser)
	case "ntlm":
		kind("username", observable.UserAccount, observable.RoleUser)
		kind("server_dns_computer_name", observable.Domain, observable.RoleDestination)
	case "smb_files":
		kind("name", observable.FilePath, observable.RoleFile)
	case "conn":
		kind("orig_l2_addr", observable.MAC, observable.RoleSource)
		kind("resp_l2_addr", observable.MAC, observable.RoleDestination)
	}
	// IPv4 literals anywhere in string values, whatever the field.
	for k, v := range m {
		var vals []string
		switch x := v.(type) {
		case string:
			vals = []string{x}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					vals = append(vals, s)
				}
			}
		}
		for _, s := range vals {
			for _, sm := range ipv4Literal.FindAllStringSubmatch(s, -1) {
				if a, err := netip.ParseAddr(sm[1]); err == nil {
					out = append(out, expectation{observable.IPv4, observable.RoleNone, a.String(), k})
				}
			}
		}
	}
	return out
}

func TestZeekCoverage(t *testing.T) {
	lines := loadEvents(t)
	x := newTestExtractor(t)
	var ev Event
	var m map[string]any
	missing, checked := 0, 0
	for n, line := range lines {
		if err := x.Extract(line, time.Unix(0, 0), &ev); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if ev.Profile != "zeek" {
			t.Fatalf("line %d: detected as %q", n+1, ev.Profile)
		}
		if ev.TimeSource != TimeEvent {
			t.Errorf("line %d: no event time", n+1)
		}
		clear(m)
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		for _, e := range zeekExpectations(m) {
			checked++
			if !hasObservable(&ev, e) {
				missing++
				if missing <= 20 {
					t.Errorf("line %d: missing %v\n%s", n+1, e, line)
				}
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d expected observables missing", missing, checked)
	}
	t.Logf("%d expectations checked over %d events", checked, len(lines))
}

func hasObservable(ev *Event, e expectation) bool {
	for _, o := range ev.Observables {
		if o.Kind == e.kind && string(o.Text) == e.text && (e.role == observable.RoleNone || o.Role == e.role) {
			return true
		}
	}
	return false
}
