package observable

import "net/netip"

// AppendURL appends the canonical form of the URL v to dst. The rules only
// merge spellings that every HTTP client and server treat alike; nothing
// that a server could interpret differently is touched.
//
//  1. Surrounding white space is removed. The scheme
//     ([A-Za-z][A-Za-z0-9+.-]*:) is lower-cased. A value without a scheme
//     whose first component is a host ("evil.com/x", "1.2.3.4:8080/x") is
//     read as an http URL, as feeds write them; anything else without a
//     scheme is rejected.
//  2. The fragment (from the first '#') is removed: it is never sent to a
//     server.
//  3. When an authority ("//") follows the scheme:
//     - user information before the last '@' is kept, with rule 5 applied;
//     - an ASCII host is lower-cased; a non-ASCII host is converted to its
//     IDNA ASCII form as in AppendDomain; an IPv6 literal ("[...]") is
//     written in its RFC 5952 form with any zone dropped; a host with a
//     character outside RFC 3986 reg-name characters is rejected; a
//     trailing dot is kept (servers may see "a.com." and "a.com" as
//     different virtual hosts);
//     - the port must be decimal; leading zeros are removed; an empty port
//     and the scheme's default port (http 80, https 443, ws 80, wss 443,
//     ftp 21) are removed;
//     - an empty path becomes "/".
//  4. Path and query keep their case, their order and their dot segments;
//     "+" is not decoded.
//  5. In user information, path and query, percent-encoding is normalised:
//     an escape of an unreserved character (A-Z a-z 0-9 - . _ ~) is decoded,
//     every other escape gets upper-case hex digits, and bytes that RFC 3986
//     does not allow anywhere in a URI (controls, space, '"', '<', '>', '\',
//     '^', '`', '{', '|', '}', DEL and every non-ASCII byte) are
//     percent-encoded, which is how a client sends them. A '%' that does
//     not start a valid escape is kept as is, and then unreserved escapes of
//     that component are left encoded (only their hex digits are
//     upper-cased), so that the result is stable.
//
// A URL without "//" after its scheme (mailto:, urn:) gets rules 1, 2 and 5.
// On error dst is returned unchanged.
func AppendURL(dst, v []byte) ([]byte, error) {
	v = trimSpace(v)
	for i, c := range v {
		if c == '#' {
			v = v[:i]
			break
		}
	}
	start := len(dst)
	colon := schemeEnd(v)
	if colon < 0 || hasDot(v[:colon]) && !hasPrefix(v[colon+1:], "//") {
		// No scheme ("evil.com/x", "1.2.3.4:8080/x"): read as http when
		// what precedes the path is a valid host.
		if !bareHost(v) {
			return dst, ErrInvalidURL
		}
		dst = append(dst, "http://"...)
		out, ok := appendAuthority(dst, v, dst[start:start+4])
		if !ok {
			return dst[:start], ErrInvalidURL
		}
		return out, nil
	}
	for _, c := range v[:colon] {
		dst = append(dst, lower(c))
	}
	dst = append(dst, ':')
	rest := v[colon+1:]
	if !hasPrefix(rest, "//") {
		return appendPercent(dst, rest), nil
	}
	dst = append(dst, '/', '/')
	out, ok := appendAuthority(dst, rest[2:], dst[start:start+colon])
	if !ok {
		return dst[:start], ErrInvalidURL
	}
	return out, nil
}

// appendAuthority writes authority, path and query (rules 3 to 5) of the
// part of a URL after "//".
func appendAuthority(dst, rest, scheme []byte) ([]byte, bool) {
	end := len(rest)
	for i, c := range rest {
		if c == '/' || c == '?' {
			end = i
			break
		}
	}
	auth, rest := rest[:end], rest[end:]
	for i := len(auth) - 1; i >= 0; i-- {
		if auth[i] == '@' {
			dst = appendPercent(dst, auth[:i])
			dst = append(dst, '@')
			auth = auth[i+1:]
			break
		}
	}
	var ok bool
	if dst, ok = appendHostPort(dst, auth, scheme); !ok {
		return dst, false
	}
	if len(rest) == 0 || rest[0] == '?' {
		dst = append(dst, '/')
	}
	return appendPercent(dst, rest), true
}

// bareHost reports whether v, a URL without scheme, starts with a domain
// name or IP address (optionally with a port) followed by the end, '/' or
// '?'.
func bareHost(v []byte) bool {
	end := len(v)
	for i, c := range v {
		if c == '/' || c == '?' {
			end = i
			break
		}
	}
	host := v[:end]
	for _, c := range host {
		if c == '@' {
			return false
		}
	}
	if len(host) > 0 && host[0] == '[' {
		for i, c := range host {
			if c == ']' {
				_, ok := parseIPv6(host[1:i])
				rest := host[i+1:]
				if len(rest) > 0 {
					_, pok := parsePort(rest[1:])
					ok = ok && rest[0] == ':' && pok
				}
				return ok
			}
		}
		return false
	}
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			if _, ok := parsePort(host[i+1:]); !ok {
				return false
			}
			host = host[:i]
			break
		}
	}
	if _, ok := parseIPv4(host); ok {
		return true
	}
	var buf [maxDomainLen + 1]byte
	_, err := AppendDomain(buf[:0], host)
	return err == nil && hasDot(host)
}

func hasDot(b []byte) bool {
	for _, c := range b {
		if c == '.' {
			return true
		}
	}
	return false
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// schemeEnd returns the index of the colon ending a valid scheme, or -1.
func schemeEnd(v []byte) int {
	for i, c := range v {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9', c == '+', c == '-', c == '.':
			if i == 0 {
				return -1
			}
		case c == ':':
			if i == 0 {
				return -1
			}
			return i
		default:
			return -1
		}
	}
	return -1
}

// appendHostPort writes the canonical host and port of an authority.
func appendHostPort(dst, auth, scheme []byte) ([]byte, bool) {
	host, port := auth, []byte(nil)
	if len(auth) > 0 && auth[0] == '[' {
		end := -1
		for i, c := range auth {
			if c == ']' {
				end = i
				break
			}
		}
		if end < 0 {
			return dst, false
		}
		host, port = auth[:end+1], auth[end+1:]
		if len(port) > 0 {
			if port[0] != ':' {
				return dst, false
			}
			port = port[1:]
		}
		inner := host[1:end]
		for i, c := range inner {
			if c == '%' { // zone, possibly written %25eth0
				inner = inner[:i]
				break
			}
		}
		ip, ok := parseIPv6(inner)
		if !ok {
			return dst, false
		}
		dst = append(dst, '[')
		dst = netip.AddrFrom16(ip).AppendTo(dst)
		dst = append(dst, ']')
	} else {
		for i := len(auth) - 1; i >= 0; i-- {
			if auth[i] == ':' {
				host, port = auth[:i], auth[i+1:]
				break
			}
		}
		var ok bool
		if dst, ok = appendURLHost(dst, host); !ok {
			return dst, false
		}
	}
	return appendPort(dst, port, scheme)
}

// appendURLHost writes a reg-name or IPv4 host in lower case.
func appendURLHost(dst, host []byte) ([]byte, bool) {
	for _, c := range host {
		if c >= 0x80 {
			trailingDot := host[len(host)-1] == '.'
			out, err := appendIDN(dst, host)
			if err != nil {
				return dst, false
			}
			if trailingDot {
				out = append(out, '.')
			}
			return out, true
		}
	}
	for _, c := range host {
		if !isRegName(c) {
			return dst, false
		}
		dst = append(dst, lower(c))
	}
	return dst, true
}

// appendPort writes ":port" unless the port is empty or the scheme default.
func appendPort(dst, port, scheme []byte) ([]byte, bool) {
	for len(port) > 1 && port[0] == '0' {
		port = port[1:]
	}
	if len(port) == 0 {
		return dst, true
	}
	n := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return dst, false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return dst, false
		}
	}
	if n == defaultPort(scheme) {
		return dst, true
	}
	dst = append(dst, ':')
	return append(dst, port...), true
}

// defaultPort returns the default port of a lower-case scheme, or -1.
func defaultPort(scheme []byte) int {
	switch string(scheme) {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	}
	return -1
}

// appendPercent writes s with its percent-encoding normalised (rule 5).
// When s holds a '%' that does not start a valid escape, unreserved escapes
// are not decoded: decoding "%4%44" to "%4D" would create an escape that a
// second pass decodes again, and keeping the stray '%' intact is the exact
// choice.
func appendPercent(dst, s []byte) []byte {
	decode := true
	for i, c := range s {
		if c == '%' && (i+2 >= len(s) || unhex(s[i+1]) > 15 || unhex(s[i+2]) > 15) {
			decode = false
			break
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && unhex(s[i+1]) < 16 && unhex(s[i+2]) < 16 {
			b := unhex(s[i+1])<<4 | unhex(s[i+2])
			if decode && isUnreserved(b) {
				dst = append(dst, b)
			} else {
				dst = append(dst, '%', upperHex[b>>4], upperHex[b&15])
			}
			i += 2
			continue
		}
		if mustEscape(c) {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EqualFoldASCII reports whether b and s are equal when ASCII letters are
// compared without regard to case. It does not allocate.
func EqualFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isRegName reports whether c may appear in an RFC 3986 reg-name or IPv4
// host (unreserved, sub-delims or '%').
func isRegName(c byte) bool {
	if isUnreserved(c) {
		return true
	}
	switch c {
	case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', '%':
		return true
	}
	return false
}

// mustEscape reports whether c may not appear unescaped anywhere in a URI.
func mustEscape(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return true
	}
	switch c {
	case '"', '<', '>', '\\', '^', '`', '{', '|', '}':
		return true
	}
	return false
}
