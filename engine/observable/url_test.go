package observable

import (
	"fmt"
	"math/rand"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestAppendURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP://Evil.COM", "http://evil.com/"},
		{"http://evil.com:80/a", "http://evil.com/a"},
		{"https://evil.com:443/a", "https://evil.com/a"},
		{"http://evil.com:443/a", "http://evil.com:443/a"},
		{"https://evil.com:80/a", "https://evil.com:80/a"},
		{"http://evil.com:0080/a", "http://evil.com/a"},
		{"http://evil.com:08080/a", "http://evil.com:8080/a"},
		{"http://evil.com:/a", "http://evil.com/a"},
		{"ftp://evil.com:21/x", "ftp://evil.com/x"},
		{"http://evil.com/a#frag", "http://evil.com/a"},
		{"http://evil.com#frag", "http://evil.com/"},
		{"http://evil.com?q=1", "http://evil.com/?q=1"},
		{"http://evil.com/%7euser/%2fx", "http://evil.com/~user/%2Fx"},
		{"http://evil.com/%41%62%2d%2E%5f", "http://evil.com/Ab-._"},
		{"http://evil.com/a%2bb?x=%2b+y", "http://evil.com/a%2Bb?x=%2B+y"},
		{"http://evil.com/Path/To/FILE.exe", "http://evil.com/Path/To/FILE.exe"},
		{"http://evil.com/a/../b/./c", "http://evil.com/a/../b/./c"},
		{"http://evil.com/?b=2&a=1", "http://evil.com/?b=2&a=1"},
		{"http://evil.com/a b", "http://evil.com/a%20b"},
		{"http://evil.com/café", "http://evil.com/caf%C3%A9"},
		{"http://evil.com/%zz%4", "http://evil.com/%zz%4"},
		{"http://evil.com/%4%44%7e", "http://evil.com/%4%44%7E"},
		{"evil.com/x", "http://evil.com/x"},
		{"Evil.com", "http://evil.com/"},
		{"1.2.3.4:8080/gate.php", "http://1.2.3.4:8080/gate.php"},
		{"www.kgls.or.kr/index.php?a=1#x", "http://www.kgls.or.kr/index.php?a=1"},
		{"http://evil.com/a|b{c}", "http://evil.com/a%7Cb%7Bc%7D"},
		{"http://User:Pa%73s@Evil.com/", "http://User:Pass@evil.com/"},
		{"http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"},
		{"http://[2001:db8::1]:80/x", "http://[2001:db8::1]/x"},
		{"http://[fe80::1%25eth0]/", "http://[fe80::1]/"},
		{"http://1.2.3.4:8080/gate.php", "http://1.2.3.4:8080/gate.php"},
		{"http://bücher.de/x", "http://xn--bcher-kva.de/x"},
		{"http://evil.com./x", "http://evil.com./x"},
		{"mailto:Foo@Example.COM", "mailto:Foo@Example.COM"},
		{"HXXP://evil.com/", "hxxp://evil.com/"},
		{"  http://evil.com/x  ", "http://evil.com/x"},
		{"http://evil.com/x?%7e=%7E", "http://evil.com/x?~=~"},
	}
	for _, tt := range tests {
		got, err := AppendURL(nil, []byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []string{"", "evil/x", "hxxp://evil[.]com/", "evil.com:http/x", "//evil.com/x", "1http://x/", ":x", "http://evil com/", "http://evil.com:http/",
		"http://evil.com:99999/", "http://[::1/", "http://[zz::1]/", "http://[::1]x/", "http://ev<il.com/"}
	for _, in := range bad {
		if got, err := AppendURL([]byte("keep"), []byte(in)); err == nil || string(got) != "keep" {
			t.Errorf("AppendURL(%q) = %q, %v; want error and dst unchanged", in, got, err)
		}
	}
}

// rfc3986 is the component regexp of RFC 3986 appendix B.
var (
	rfc3986       = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):(//([^/?#]*))?([^#]*)(#.*)?$`)
	slowHost      = regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=%]*$`)
	slowEsc       = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	slowBare      = regexp.MustCompile(`^(\[[^\]]*\]|[^/?:]+)(:[0-9]{1,5})?([/?].*)?$`)
	schemeSlashes = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	slowPorts     = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}
)

// slowNormPct is rule 5 written with strings and strconv.
func slowNormPct(s string) string {
	decode := true
	for i := range s {
		if s[i] == '%' && !slowEsc.MatchString(s[i:min(i+3, len(s))]) {
			decode = false
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if m := slowEsc.FindString(s[i:]); m != "" && strings.HasPrefix(s[i:], m) {
			n, _ := strconv.ParseUint(m[1:], 16, 8)
			if c := byte(n); decode && strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", c) >= 0 {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
			i += 2
			continue
		}
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// slowURL is the obviously correct version of AppendURL, for ASCII hosts.
func slowURL(s string) (string, bool) {
	s = trimASCII(s)
	if i := strings.Index(s, "#"); i >= 0 {
		s = s[:i]
	}
	m := rfc3986.FindStringSubmatch(s)
	if m == nil || strings.Contains(m[1], ".") && m[2] == "" {
		b := slowBare.FindStringSubmatch(s)
		if b == nil {
			return "", false
		}
		if a, ok := slowParseIP(b[1]); ok && a.Is4() && !strings.Contains(b[1], ":") {
			return slowURL("http://" + s)
		}
		if _, ok := slowDomain(b[1]); ok && strings.Contains(b[1], ".") {
			return slowURL("http://" + s)
		}
		if strings.HasPrefix(b[1], "[") && strings.HasSuffix(b[1], "]") {
			if _, ok := slowParseIP(b[1][1 : len(b[1])-1]); ok && strings.Contains(b[1], ":") {
				return slowURL("http://" + s)
			}
		}
		return "", false
	}
	scheme := strings.ToLower(m[1])
	if m[2] == "" {
		return scheme + ":" + slowNormPct(m[4]), true
	}
	auth, user := m[3], ""
	if i := strings.LastIndex(auth, "@"); i >= 0 {
		user, auth = slowNormPct(auth[:i])+"@", auth[i+1:]
	}
	host, port := auth, ""
	if strings.HasPrefix(auth, "[") {
		i := strings.Index(auth, "]")
		if i < 0 {
			return "", false
		}
		inner := auth[1:i]
		if z := strings.Index(inner, "%"); z >= 0 {
			inner = inner[:z]
		}
		a, ok := slowParseIP(inner)
		if !ok || strings.Contains(inner, ".") && !strings.Contains(inner, ":") {
			return "", false
		}
		host = "[" + a.String() + "]"
		if a.Is4() { // an IPv4-mapped literal keeps its IPv6 spelling
			host = "[::ffff:" + a.String() + "]"
		}
		rest := auth[i+1:]
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return "", false
		}
		port = strings.TrimPrefix(rest, ":")
	} else {
		if i := strings.LastIndex(auth, ":"); i >= 0 {
			host, port = auth[:i], auth[i+1:]
		}
		if !slowHost.MatchString(host) {
			return "", false
		}
		host = strings.ToLower(host)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 || strings.ContainsAny(port, "+-") {
			return "", false
		}
		port = strconv.Itoa(n)
		if slowPorts[scheme] == port {
			port = ""
		}
	}
	if port != "" {
		port = ":" + port
	}
	path := m[4]
	if path == "" || strings.HasPrefix(path, "?") {
		path = "/" + path
	}
	return scheme + "://" + user + host + port + slowNormPct(path), true
}

func checkURL(t *testing.T, s string) {
	t.Helper()
	got, err := AppendURL(nil, []byte(s))
	want, ok := slowURL(s)
	if ok != (err == nil) || string(got) != want {
		t.Errorf("AppendURL(%q) = %q, %v; slow says %q, %v", s, got, err, want, ok)
		return
	}
	if err != nil {
		return
	}
	again, err := AppendURL(nil, got)
	if err != nil || string(again) != string(got) {
		t.Errorf("AppendURL not idempotent on %q: %q -> %q, %v", s, got, again, err)
	}
	// Where net/url understands the input, it must agree on scheme and host
	// and must accept the canonical form.
	if u, perr := url.Parse(trimASCII(s)); perr == nil && u.Host != "" && u.Opaque == "" {
		c, cerr := url.Parse(string(got))
		if cerr != nil {
			t.Errorf("net/url rejects canonical %q of %q: %v", got, s, cerr)
			return
		}
		if m := rfc3986.FindStringSubmatch(trimASCII(s)); m == nil || strings.Contains(m[3], "%") {
			return // net/url unescapes hosts; this package keeps escapes
		}
		if c.Scheme != strings.ToLower(u.Scheme) || c.Hostname() != strings.ToLower(u.Hostname()) && !strings.Contains(u.Host, "[") {
			t.Errorf("net/url disagrees on %q: scheme/host %q %q vs canonical %q %q", s, u.Scheme, u.Hostname(), c.Scheme, c.Hostname())
		}
	}
}

func TestAppendURLMatchesSlow(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	pieces := []string{"http", "HTTPS", "ftp", "x", ":", "//", "/", "?", "#", "@", "[", "]", "::1", "%", "%2f", "%7E",
		"%4", "a", "B", ".", "80", "443", "0", " ", "é", "|", "&", "=", "+", "evil.com", "1.2.3.4", "%25"}
	for i := 0; i < 100000; i++ {
		var b strings.Builder
		if r.Intn(4) != 0 {
			b.WriteString([]string{"http://", "https://", "HTTP://", "ftp://", "mailto:"}[r.Intn(5)])
		}
		for n := r.Intn(12); n > 0; n-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := b.String()
		if idnHost(s) {
			continue // IDN hosts are covered by the table test
		}
		checkURL(t, s)
	}
	rv := loadReal(t)
	valid := 0
	for _, s := range rv.urls {
		if idnHost(s) {
			continue
		}
		checkURL(t, s)
		if _, err := AppendURL(nil, []byte(s)); err == nil {
			valid++
		}
	}
	if valid < len(rv.urls)*99/100 {
		t.Errorf("only %d of %d real indicator URLs are valid", valid, len(rv.urls))
	}
}

// idnHost reports whether the host part of s has non-ASCII characters.
func idnHost(s string) bool {
	if m := schemeSlashes.FindString(s); m != "" {
		s = s[len(m):]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 })
}
