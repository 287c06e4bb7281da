package observable

// AppendMAC appends the canonical form of a MAC-48 address, as STIX
// mac-addr requires: six lower-case hex pairs joined by colons. It accepts
// pairs separated by ':' or '-', the dotted form "aabb.ccdd.eeff", and 12
// plain hex digits.
func AppendMAC(dst, v []byte) ([]byte, error) {
	v = trimSpace(v)
	var digits [12]byte
	n := 0
	switch len(v) {
	case 17: // aa:bb:cc:dd:ee:ff
		sep := v[2]
		if sep != ':' && sep != '-' {
			return dst, ErrInvalidMAC
		}
		for i, c := range v {
			if i%3 == 2 {
				if c != sep {
					return dst, ErrInvalidMAC
				}
				continue
			}
			digits[n] = c
			n++
		}
	case 14: // aabb.ccdd.eeff
		for i, c := range v {
			if i%5 == 4 {
				if c != '.' {
					return dst, ErrInvalidMAC
				}
				continue
			}
			digits[n] = c
			n++
		}
	case 12:
		copy(digits[:], v)
	default:
		return dst, ErrInvalidMAC
	}
	for _, c := range digits {
		if unhex(c) > 15 {
			return dst, ErrInvalidMAC
		}
	}
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, lower(digits[i]), lower(digits[i+1]))
	}
	return dst, nil
}

// AppendX509Serial appends the canonical form of a certificate serial
// number written in hex: separators (':' and spaces) removed, lower case,
// leading zeros removed (the DER encoding adds a zero byte when the high bit
// is set; the number is the same). "00:CC:57" and "cc57" both become "cc57".
func AppendX509Serial(dst, v []byte) ([]byte, error) {
	v = trimSpace(v)
	start := len(dst)
	leading := true
	for _, c := range v {
		if c == ':' || c == ' ' {
			continue
		}
		if unhex(c) > 15 {
			return dst[:start], ErrInvalidText
		}
		if leading && c == '0' {
			continue
		}
		leading = false
		dst = append(dst, lower(c))
	}
	if leading {
		for _, c := range v {
			if c == '0' {
				return append(dst, '0'), nil
			}
		}
		return dst, ErrEmpty
	}
	return dst, nil
}

// appendVerbatim is the canonical form of free-text kinds (file names,
// paths, command lines, user agents, ...): the value exactly
// as given, because these are compared case- and space-sensitively by STIX
// and by the systems that produce them. Only an empty value is rejected.
func appendVerbatim(dst, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return dst, ErrEmpty
	}
	return append(dst, v...), nil
}
