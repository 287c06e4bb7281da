package observable

// AppendHash appends the canonical form of a digest of kind k: lower-case
// hex of exactly the algorithm's length (MD5 and JA3/JA3S 32 digits, SHA-1
// 40, SHA-256 and SHA3-256 64, SHA-512 and SHA3-512 128). Surrounding white
// space is ignored, and so are colons or spaces between byte pairs
// ("AB:CD:..." as certificate tools print fingerprints). SSDEEP values
// ("blocksize:hash:hash") are kept as they are, since their base64 alphabet
// is case-sensitive, after checking their shape. On error dst is returned
// unchanged.
func AppendHash(dst []byte, k Kind, v []byte) ([]byte, error) {
	v = trimSpace(v)
	if k == SSDEEP {
		if !validSSDEEP(v) {
			return dst, ErrInvalidHash
		}
		return append(dst, v...), nil
	}
	want := k.hexLen()
	if want == 0 {
		return dst, ErrInvalidKind
	}
	start := len(dst)
	if len(v) == want {
		dst = append(dst, v...)
		out := dst[start:]
		for i, c := range out {
			if hexValue[c] > 15 {
				return dst[:start], ErrInvalidHash
			}
			out[i] = c | 0x20 // hex digits and letters: lower case
		}
		return dst, nil
	}
	// Separated pairs: "ab:cd:ef" or "ab cd ef".
	if len(v) != want+want/2-1 {
		return dst, ErrInvalidHash
	}
	sep := v[2]
	if sep != ':' && sep != ' ' && sep != '-' {
		return dst, ErrInvalidHash
	}
	for i, c := range v {
		if i%3 == 2 {
			if c != sep {
				return dst[:start], ErrInvalidHash
			}
			continue
		}
		if unhex(c) > 15 {
			return dst[:start], ErrInvalidHash
		}
		dst = append(dst, lower(c))
	}
	return dst, nil
}

// validSSDEEP checks "blocksize:hash1:hash2" with a decimal block size and
// base64 hashes.
func validSSDEEP(v []byte) bool {
	colons, i := 0, 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
	}
	if i == 0 || i == len(v) || v[i] != ':' {
		return false
	}
	for _, c := range v[i:] {
		switch {
		case c == ':':
			colons++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return colons == 2
}

// appendHexKey decodes canonical lower-case hex into raw digest bytes.
func appendHexKey(dst []byte, k Kind, text []byte) ([]byte, error) {
	if len(text) != k.hexLen() {
		return dst, ErrInvalidKey
	}
	start := len(dst)
	for i := 0; i < len(text); i += 2 {
		hi, lo := unhex(text[i]), unhex(text[i+1])
		if hi > 15 || lo > 15 {
			return dst[:start], ErrInvalidKey
		}
		dst = append(dst, hi<<4|lo)
	}
	return dst, nil
}

// appendHexText encodes raw digest bytes as lower-case hex.
func appendHexText(dst []byte, k Kind, key []byte) ([]byte, error) {
	if len(key)*2 != k.hexLen() {
		return dst, ErrInvalidKey
	}
	const digits = "0123456789abcdef"
	for _, b := range key {
		dst = append(dst, digits[b>>4], digits[b&15])
	}
	return dst, nil
}
