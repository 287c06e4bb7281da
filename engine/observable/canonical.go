package observable

import "net/netip"

// AppendCanonical appends the canonical text form of v, a value of kind k, to
// dst and returns the extended buffer. On error dst is returned unchanged
// and the error matches ErrInvalid. See the Append<Kind> functions for the
// rules of each kind. IPv4 and IPv6 accept either family: an IPv4-mapped
// IPv6 address canonicalises to IPv4, so check IPKind of the parsed address
// when the family matters.
//
// It does not allocate unless v is an internationalised domain name, e-mail
// domain or URL host.
func AppendCanonical(dst []byte, k Kind, v []byte) ([]byte, error) {
	switch k {
	case IPv4, IPv6:
		a, err := ParseIP(v)
		if err != nil {
			return dst, err
		}
		return a.AppendTo(dst), nil
	case Domain:
		return AppendDomain(dst, v)
	case URL:
		return AppendURL(dst, v)
	case Email:
		return AppendEmail(dst, v)
	case MD5, SHA1, SHA256, SHA512, SHA3_256, SHA3_512, SSDEEP, JA3, JA3S:
		return AppendHash(dst, k, v)
	case MAC:
		return AppendMAC(dst, v)
	case AddrPort:
		a, p, err := ParseAddrPort(v)
		if err != nil {
			return dst, err
		}
		return AppendAddrPortText(dst, a, p), nil
	case X509Serial:
		return AppendX509Serial(dst, v)
	case RegistryKey:
		return AppendRegistryKey(dst, v)
	case FileName, FilePath, Directory, UserAgent, CommandLine, ProcessName,
		UserAccount, Mutex, X509Subject, Software, EmailSubject, Text:
		return appendVerbatim(dst, v)
	}
	return dst, ErrInvalidKind
}

// AppendKey appends the index key of a canonical text value of kind k:
// 4 or 16 address bytes for IPv4/IPv6, 6 or 18 bytes for AddrPort, the raw
// digest for hex hash kinds (MD5, SHA1, SHA256, SHA512, SHA3_256, SHA3_512,
// JA3, JA3S), and the text itself for every other kind. The input must
// already be canonical (the output of AppendCanonical).
func AppendKey(dst []byte, k Kind, canonical []byte) ([]byte, error) {
	switch k {
	case IPv4, IPv6:
		a, err := ParseIP(canonical)
		if err != nil {
			return dst, ErrInvalidKey
		}
		return AppendIPKey(dst, a), nil
	case AddrPort:
		a, p, err := ParseAddrPort(canonical)
		if err != nil {
			return dst, ErrInvalidKey
		}
		return AppendAddrPortKey(dst, a, p), nil
	case MD5, SHA1, SHA256, SHA512, SHA3_256, SHA3_512, JA3, JA3S:
		return appendHexKey(dst, k, canonical)
	case Invalid:
		return dst, ErrInvalidKind
	}
	if k >= numKinds {
		return dst, ErrInvalidKind
	}
	return append(dst, canonical...), nil
}

// AppendText renders the canonical text form of kind k from its index key;
// it is the inverse of AppendKey.
func AppendText(dst []byte, k Kind, key []byte) ([]byte, error) {
	switch k {
	case IPv4, IPv6:
		a, ok := IPFromKey(key)
		if !ok {
			return dst, ErrInvalidKey
		}
		return a.AppendTo(dst), nil
	case AddrPort:
		a, p, ok := AddrPortFromKey(key)
		if !ok {
			return dst, ErrInvalidKey
		}
		return AppendAddrPortText(dst, a, p), nil
	case MD5, SHA1, SHA256, SHA512, SHA3_256, SHA3_512, JA3, JA3S:
		return appendHexText(dst, k, key)
	case Invalid:
		return dst, ErrInvalidKind
	}
	if k >= numKinds {
		return dst, ErrInvalidKind
	}
	return append(dst, key...), nil
}

// KeyIsText reports whether the key form of kind k is its text form.
func (k Kind) KeyIsText() bool {
	switch k {
	case IPv4, IPv6, AddrPort, MD5, SHA1, SHA256, SHA512, SHA3_256, SHA3_512, JA3, JA3S:
		return false
	}
	return true
}

// AppendIPText appends the canonical text of an address (zone dropped,
// IPv4-mapped unmapped).
func AppendIPText(dst []byte, a netip.Addr) []byte {
	return a.Unmap().WithZone("").AppendTo(dst)
}
