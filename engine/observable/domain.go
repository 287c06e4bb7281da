package observable

import "golang.org/x/net/idna"

// idnaProfile maps internationalised names for lookup (UTS #46, case
// folding, full-width dots, NFC) and checks the Bidi rule, but allows the
// underscore that real DNS traffic carries (_ldap._tcp, _dmarc). It is
// immutable and safe for concurrent use.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.StrictDomainName(false),
)

const (
	maxDomainLen = 253
	maxLabelLen  = 63
)

// AppendDomain appends the canonical form of the domain name v to dst:
//
//   - surrounding white space and one trailing dot are removed;
//   - ASCII letters are lower-cased;
//   - a name with non-ASCII characters is converted to its ASCII (punycode)
//     form through IDNA (UTS #46 lookup mapping); plain ASCII names never go
//     through IDNA, so existing "xn--" labels are only lower-cased;
//   - the result must consist of labels of 1 to 63 characters from
//     [a-z0-9_-], each with at least one letter or digit, 253 characters at
//     most, and its last label must not be all digits (so an IPv4 address is
//     never a domain, and placeholders such as "-" are rejected).
//
// On error dst is returned unchanged.
func AppendDomain(dst, v []byte) ([]byte, error) {
	v = trimSpace(v)
	for _, c := range v {
		if c >= 0x80 {
			return appendIDN(dst, v)
		}
	}
	return appendASCIIDomain(dst, v)
}

func appendASCIIDomain(dst, v []byte) ([]byte, error) {
	if len(v) > 0 && v[len(v)-1] == '.' {
		v = v[:len(v)-1]
	}
	if len(v) == 0 || len(v) > maxDomainLen {
		return dst, ErrInvalidDomain
	}
	start := len(dst)
	label, digitsOnly, alnum := 0, true, false
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z':
			digitsOnly, alnum = false, true
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			digitsOnly, alnum = false, true
		case c >= '0' && c <= '9':
			alnum = true
		case c == '-', c == '_':
			digitsOnly = false
		case c == '.':
			if !alnum {
				return dst[:start], ErrInvalidDomain
			}
			label, digitsOnly, alnum = 0, true, false
			dst = append(dst, c)
			continue
		default:
			return dst[:start], ErrInvalidDomain
		}
		label++
		if label > maxLabelLen {
			return dst[:start], ErrInvalidDomain
		}
		dst = append(dst, c)
	}
	if !alnum || digitsOnly {
		return dst[:start], ErrInvalidDomain
	}
	return dst, nil
}

// appendIDN converts an internationalised name to ASCII. It allocates.
func appendIDN(dst, v []byte) ([]byte, error) {
	s, err := idnaProfile.ToASCII(string(v))
	if err != nil {
		return dst, ErrInvalidDomain
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return dst, ErrInvalidDomain
		}
	}
	return appendASCIIDomain(dst, []byte(s))
}

// Parent returns the parent of a canonical domain name (everything after its
// first label) when that parent still has at least two labels: Parent of
// "a.b.evil.com" is "b.evil.com", Parent of "evil.com" reports false. The
// result is a sub-slice of d; nothing is copied or allocated. Walk all
// ancestors with
//
//	for p, ok := Parent(d); ok; p, ok = Parent(p) { ... }
//
// Matching by ancestors never matches on substrings: "notevil.com" has no
// parent "evil.com". A registry suffix such as "co.uk" is still returned;
// indexes simply never hold such names.
func Parent(d []byte) ([]byte, bool) {
	for i, c := range d {
		if c == '.' {
			p := d[i+1:]
			for _, c := range p {
				if c == '.' {
					return p, true
				}
			}
			return nil, false
		}
	}
	return nil, false
}
