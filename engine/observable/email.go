package observable

// AppendEmail appends the canonical form of an e-mail address: surrounding
// white space and one pair of angle brackets ("<a@b.example>") are removed,
// the local part (before the last '@') is kept exactly, and the domain part is
// canonicalised as by AppendDomain (lower case, IDNA). A domain literal
// ("[192.0.2.1]") is kept as is. The local part must be 1 to 64 bytes
// without white space, control characters, '<', '>' or ','. On error dst is
// returned unchanged.
func AppendEmail(dst, v []byte) ([]byte, error) {
	v = trimSpace(v)
	if len(v) >= 2 && v[0] == '<' && v[len(v)-1] == '>' {
		v = trimSpace(v[1 : len(v)-1])
	}
	at := -1
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == '@' {
			at = i
			break
		}
	}
	if at < 1 || at > 64 || at == len(v)-1 {
		return dst, ErrInvalidEmail
	}
	local, domain := v[:at], v[at+1:]
	for _, c := range local {
		if c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' {
			return dst, ErrInvalidEmail
		}
	}
	start := len(dst)
	dst = append(dst, local...)
	dst = append(dst, '@')
	if domain[0] == '[' {
		if domain[len(domain)-1] != ']' {
			return dst[:start], ErrInvalidEmail
		}
		for _, c := range domain {
			if c <= ' ' || c >= 0x7f {
				return dst[:start], ErrInvalidEmail
			}
			dst = append(dst, lower(c))
		}
		return dst, nil
	}
	out, err := AppendDomain(dst, domain)
	if err != nil {
		return dst[:start], ErrInvalidEmail
	}
	return out, nil
}
