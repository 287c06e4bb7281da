package observable

import "net/netip"

// ParseIP parses an IPv4 or IPv6 address without allocating. Surrounding
// ASCII white space is ignored, an IPv6 zone ("%eth0") is dropped and an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is returned as IPv4. IPv4
// octets with leading zeros ("010.1.1.1") are rejected, as net/netip does,
// because some software reads them as octal.
func ParseIP(b []byte) (netip.Addr, error) {
	b = trimSpace(b)
	if ip, ok := parseIPv4(b); ok {
		return netip.AddrFrom4(ip), nil
	}
	for _, c := range b {
		if c == ':' {
			ip, ok := parseIPv6(b)
			if !ok {
				return netip.Addr{}, ErrInvalidIP
			}
			return netip.AddrFrom16(ip).Unmap(), nil
		}
	}
	return netip.Addr{}, ErrInvalidIP
}

// IPKind returns IPv4 or IPv6 for a valid address, Invalid otherwise.
func IPKind(a netip.Addr) Kind {
	switch {
	case a.Is4():
		return IPv4
	case a.Is6():
		return IPv6
	}
	return Invalid
}

// AppendIPKey appends the index key of a: its 4 bytes for IPv4, its 16 bytes
// for IPv6 (the zone, if any, is ignored).
func AppendIPKey(dst []byte, a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return append(dst, b[:]...)
	}
	b := a.As16()
	return append(dst, b[:]...)
}

// IPFromKey returns the address held by a 4- or 16-byte key.
func IPFromKey(key []byte) (netip.Addr, bool) {
	switch len(key) {
	case 4:
		return netip.AddrFrom4([4]byte(key)), true
	case 16:
		return netip.AddrFrom16([16]byte(key)), true
	}
	return netip.Addr{}, false
}

// parseIPv4 parses a strict dotted quad.
func parseIPv4(s []byte) (ip [4]byte, ok bool) {
	part, digits, val := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return ip, false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return ip, false
			}
		case c == '.':
			if digits == 0 || part == 3 {
				return ip, false
			}
			ip[part] = byte(val)
			part++
			digits, val = 0, 0
		default:
			return ip, false
		}
	}
	if part != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(val)
	return ip, true
}

// parseIPv6 parses an IPv6 address in any RFC 4291 text form, including an
// embedded IPv4 tail; a zone suffix is dropped.
func parseIPv6(s []byte) (ip [16]byte, ok bool) {
	for i, c := range s {
		if c == '%' {
			if i == len(s)-1 {
				return ip, false
			}
			s = s[:i]
			break
		}
	}
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		n, acc := 0, uint32(0)
		for n < len(s) {
			v := unhex(s[n])
			if v > 15 {
				break
			}
			acc = acc<<4 | uint32(v)
			n++
			if n > 4 {
				return ip, false
			}
		}
		if n == 0 {
			return ip, false
		}
		if n < len(s) && s[n] == '.' {
			if (ellipsis < 0 && i != 12) || i+4 > 16 {
				return ip, false
			}
			v4, ok := parseIPv4(s)
			if !ok {
				return ip, false
			}
			copy(ip[i:], v4[:])
			i += 4
			s = nil
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[n:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		for j := ellipsis; j < ellipsis+n; j++ {
			ip[j] = 0
		}
	} else if ellipsis >= 0 {
		return ip, false
	}
	return ip, true
}

// unhex returns the value of a hex digit, or 0xff.
func unhex(c byte) byte { return hexValue[c] }

// hexValue maps hex digits to their value and every other byte to 0xff.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// trimSpace trims ASCII white space at both ends without allocating.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
