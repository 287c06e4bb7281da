package extract

import (
	"bytes"

	"golang.org/x/net/publicsuffix"

	"github.com/indicator-matcher/matcher/engine/observable"
)

// tokenByte marks the bytes a token may hold: letters, digits and
// ". - _ : @". Everything else (space, '/', '\', quotes, brackets, '=',
// ',', non-ASCII) separates tokens.
var tokenByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range ".-_:@" {
		t[c] = true
	}
	return t
}()

// urlEnd marks the bytes that end a URL found in free text.
var urlEnd = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	for _, c := range "\"'<>`{}|\\^" {
		t[c] = true
	}
	t[0x7f] = true
	return t
}()

// scanText looks for the kinds in m inside free text s: URLs (scheme://…),
// IPv4 and IPv6 addresses (an "a.b.c.d:port" token also gives an AddrPort),
// e-mail addresses, hex digests of 32/40/64/128 digits, and domain names
// whose last label is an ICANN top-level domain. Found values get role r.
func (w *walker) scanText(field string, s []byte, m scanMask, r observable.Role) {
	if m&^(scanIP|scanURL) == 0 && bytes.IndexByte(s, ':') < 0 && bytes.IndexByte(s, '.') < 0 {
		return // no address and no URL without a '.' or a ':'
	}
	if m&scanURL != 0 {
		w.scanURLs(field, s, r)
	}
	if m&^scanURL == 0 {
		return
	}
	// Every kind but hashes needs a '.', ':' or '@' in its token; when
	// hashes are not wanted, tokens without one are skipped unexamined.
	needSep := m&scanHash == 0
	for i := 0; i < len(s); {
		for i < len(s) && !tokenByte[s[i]] {
			i++
		}
		j, sep := i, false
		for j < len(s) && tokenByte[s[j]] {
			if c := s[j]; c == '.' || c == ':' || c == '@' {
				sep = true
			}
			j++
		}
		if (sep || !needSep) && j-i >= 3 {
			w.token(field, s[i:j], m, r)
		}
		i = j
	}
}

var schemeSep = []byte("://")

// scanURLs finds "scheme://" URLs.
func (w *walker) scanURLs(field string, s []byte, r observable.Role) {
	for i := 1; i+2 < len(s); i++ {
		j := bytes.Index(s[i:], schemeSep)
		if j < 0 {
			return
		}
		i += j
		if i == 0 {
			continue
		}
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		for start < i && !isAlpha(s[start]) {
			start++
		}
		if i-start < 2 {
			continue
		}
		end := i + 3
		for end < len(s) && !urlEnd[s[end]] {
			end++
		}
		for end > i+3 {
			c := s[end-1]
			if c != '.' && c != ',' && c != ';' && c != ':' && c != '!' && c != '?' && c != ')' && c != ']' {
				break
			}
			end--
		}
		if end > i+3 {
			a := action{path: field, role: r}
			if r == observable.RoleNone {
				a.role = observable.RoleURL
			}
			w.addKind(&a, observable.URL, a.role, s[start:end])
		}
		i = end
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSchemeByte(c byte) bool {
	return isAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

// token classifies one token.
func (w *walker) token(field string, t []byte, m scanMask, r observable.Role) {
	dots, colons, at := 0, 0, -1
	hexOnly, ipChars, hexLetter := true, true, false
	for i, c := range t {
		switch {
		case c == '.':
			dots++
			hexOnly = false
		case c == ':':
			colons++
			hexOnly = false
		case c == '@':
			at = i
			hexOnly, ipChars = false, false
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			hexLetter = true
		default:
			hexOnly, ipChars = false, false
		}
	}
	if m&scanIP != 0 && ipChars && (dots == 3 || colons >= 2) {
		if w.textIP(field, t, colons, r) {
			return
		}
	}
	// Sentence punctuation around names: "see evil.com." or "host:".
	for len(t) > 0 && (t[len(t)-1] == '.' || t[len(t)-1] == ':' || t[len(t)-1] == '-' || t[len(t)-1] == '_') {
		t = t[:len(t)-1]
	}
	for len(t) > 0 && (t[0] == '.' || t[0] == ':' || t[0] == '-' || t[0] == '_' || t[0] == '@') {
		t = t[1:]
		at--
	}
	switch {
	case hexOnly && hexLetter && m&scanHash != 0:
		if k, ok := observable.HashKindForHexLen(len(t)); ok {
			w.addKind(&action{path: field}, k, r, t)
		}
	case at > 0 && m&scanEmail != 0:
		if d := t[at+1:]; knownTLD(w.ev, lastLabel(d)) {
			w.addKind(&action{path: field}, observable.Email, r, t)
		}
	case at < 0 && dots > 0 && m&scanDomain != 0:
		if colons > 0 {
			return
		}
		if knownTLD(w.ev, lastLabel(t)) {
			w.addKind(&action{path: field}, observable.Domain, r, t)
		}
	}
}

// textIP handles address tokens: IPv6, IPv4, and IPv4:port.
func (w *walker) textIP(field string, t []byte, colons int, r observable.Role) bool {
	if colons == 1 {
		i := indexByte(t, ':')
		addr, err := observable.ParseIP(t[:i])
		port, ok := observable.ParsePort(t[i+1:])
		if err != nil || !ok || !addr.Is4() {
			return false
		}
		w.addAddr(field, r, 0, addr)
		w.addAddrPort(field, r, 0, addr, port)
		return true
	}
	addr, err := observable.ParseIP(t)
	if err != nil || addr.IsUnspecified() {
		return false
	}
	w.addAddr(field, r, 0, addr)
	return true
}

func lastLabel(d []byte) []byte {
	for len(d) > 0 && d[len(d)-1] == '.' {
		d = d[:len(d)-1]
	}
	return d[lastIndex(d, '.')+1:]
}

// maxTLDCache bounds the per-Event cache of top-level-domain answers.
const maxTLDCache = 2048

// knownTLD reports whether label (any case) is an ICANN top-level domain of
// the public suffix list. Answers are cached per Event, so that steady-state
// scanning does not allocate.
func knownTLD(ev *Event, label []byte) bool {
	if len(label) < 2 || len(label) > 63 {
		return false
	}
	var b [63]byte
	for i, c := range label {
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '-' {
			return false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	l := b[:len(label)]
	if ok, hit := ev.tlds[string(l)]; hit {
		return ok
	}
	s := string(l)
	_, icann := publicsuffix.PublicSuffix(s)
	ok := icann && isAlpha(l[0])
	if ev.tlds == nil {
		ev.tlds = make(map[string]bool)
	}
	if len(ev.tlds) < maxTLDCache {
		ev.tlds[s] = ok
	}
	return ok
}
