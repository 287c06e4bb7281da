package observable

import (
	"encoding/binary"
	"net/netip"
)

// AddrPort values pair an address with a port, as in the maltrail-style
// indicator [network-traffic:dst_ref.value = '1.2.3.4' AND
// network-traffic:dst_port = 80].
//
// Text form: "1.2.3.4:80" for IPv4 and "[2001:db8::1]:443" for IPv6, with the
// address canonical as in ParseIP (IPv4-mapped addresses become IPv4).
//
// Key form: the address key followed by the port in big-endian order, so 6
// bytes for IPv4 and 18 bytes for IPv6; the length tells the family apart
// and the IPv4 form is the 4-byte IPv4 key with two bytes appended.

// ParseAddrPort parses the text form of an address/port pair without
// allocating.
func ParseAddrPort(b []byte) (netip.Addr, uint16, error) {
	b = trimSpace(b)
	sep := -1
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ':' {
			sep = i
			break
		}
	}
	if sep <= 0 || sep == len(b)-1 {
		return netip.Addr{}, 0, ErrInvalidAddrPort
	}
	host, port := b[:sep], b[sep+1:]
	if host[0] == '[' {
		if host[len(host)-1] != ']' {
			return netip.Addr{}, 0, ErrInvalidAddrPort
		}
		host = host[1 : len(host)-1]
	}
	a, err := ParseIP(host)
	if err != nil {
		return netip.Addr{}, 0, ErrInvalidAddrPort
	}
	p, ok := parsePort(port)
	if !ok {
		return netip.Addr{}, 0, ErrInvalidAddrPort
	}
	return a, p, nil
}

// ParsePort parses a decimal port number (0-65535) without allocating.
func ParsePort(b []byte) (uint16, bool) { return parsePort(trimSpace(b)) }

func parsePort(b []byte) (uint16, bool) {
	if len(b) == 0 || len(b) > 5 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

// AppendAddrPortText appends the text form of (a, port).
func AppendAddrPortText(dst []byte, a netip.Addr, port uint16) []byte {
	return netip.AddrPortFrom(a.Unmap().WithZone(""), port).AppendTo(dst)
}

// AppendAddrPortKey appends the key form of (a, port): 4+2 or 16+2 bytes.
func AppendAddrPortKey(dst []byte, a netip.Addr, port uint16) []byte {
	dst = AppendIPKey(dst, a.Unmap())
	return binary.BigEndian.AppendUint16(dst, port)
}

// AddrPortFromKey decodes a 6- or 18-byte key.
func AddrPortFromKey(key []byte) (netip.Addr, uint16, bool) {
	if len(key) != 6 && len(key) != 18 {
		return netip.Addr{}, 0, false
	}
	a, _ := IPFromKey(key[:len(key)-2])
	return a, binary.BigEndian.Uint16(key[len(key)-2:]), true
}
