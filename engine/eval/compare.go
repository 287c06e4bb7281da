package eval

import (
	"bytes"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// pass applies the test to one selected value, NOT included.
func (t *test) pass(v value) (bool, error) {
	var r bool
	var err error
	switch t.op {
	case pattern.OpEq, pattern.OpNeq:
		r, err = t.equal(v, &t.lit)
		if t.op == pattern.OpNeq {
			r = !r
		}
	case pattern.OpLt, pattern.OpLe, pattern.OpGt, pattern.OpGe:
		r, err = t.order(v)
	case pattern.OpIn:
		for i := range t.set {
			if r, err = t.equal(v, &t.set[i]); r || err != nil {
				break
			}
		}
	case pattern.OpLike:
		r = t.likeMatch(v)
	case pattern.OpMatches:
		r = t.regexMatch(v)
	case pattern.OpIsSubset, pattern.OpIsSuperset:
		r, err = t.cidrMatch(v)
	}
	if err != nil {
		return false, err
	}
	return r != t.negated, nil
}

// asTimestamp converts a JSON string to a time when the literal is a
// timestamp: the reference's "timestamp hackage". A string that is not a
// valid STIX timestamp is an error, not a mismatch.
func asTimestamp(v value) (time.Time, bool, error) {
	if v.isBytes || v.v.Kind() != observation.String {
		return time.Time{}, false, nil
	}
	ts, ok := parseStrictTimestamp(v.v.Str())
	if !ok {
		return time.Time{}, false, fmt.Errorf("%w: invalid timestamp in JSON: %q", ErrInvalidData, v.v.Str())
	}
	return ts, true, nil
}

// equal implements `=` between a value and a literal.
func (t *test) equal(v value, lit *literal) (bool, error) {
	if lit.kind == pattern.LitTimestamp {
		ts, ok, err := asTimestamp(v)
		if err != nil || !ok {
			return false, err
		}
		return ts.Equal(lit.t), nil
	}
	if v.isBytes {
		switch lit.kind {
		case pattern.LitHex, pattern.LitBinary:
			return bytes.Equal(v.bytes, lit.b), nil
		case pattern.LitString:
			b, ok := latin1(lit.s)
			return ok && bytes.Equal(v.bytes, b), nil
		}
		return false, nil
	}
	switch v.v.Kind() {
	case observation.Int, observation.Float:
		return lit.isNum && compareNumber(v.v, lit) == 0, nil
	case observation.String:
		switch lit.kind {
		case pattern.LitString:
			return v.v.Str() == lit.s, nil
		case pattern.LitHex, pattern.LitBinary:
			b, ok := latin1(v.v.Str())
			return ok && bytes.Equal(b, lit.b), nil
		}
	case observation.Bool:
		return lit.kind == pattern.LitBool && v.v.Bool() == (lit.text == "true"), nil
	}
	return false, nil
}

// order implements <, <=, > and >=. Incomparable pairs give false.
func (t *test) order(v value) (bool, error) {
	lit := &t.lit
	c, ok := 0, false
	if lit.kind == pattern.LitTimestamp {
		ts, isTS, err := asTimestamp(v)
		if err != nil || !isTS {
			return false, err
		}
		c, ok = ts.Compare(lit.t), true
	} else if v.isBytes {
		switch lit.kind {
		case pattern.LitHex, pattern.LitBinary:
			c, ok = bytes.Compare(v.bytes, lit.b), true
		case pattern.LitString:
			if b, valid := latin1(lit.s); valid {
				c, ok = bytes.Compare(v.bytes, b), true
			}
		}
	} else {
		switch v.v.Kind() {
		case observation.Int, observation.Float:
			if lit.isNum {
				c, ok = compareNumber(v.v, lit), true
			}
		case observation.String:
			switch lit.kind {
			case pattern.LitString:
				c, ok = strings.Compare(v.v.Str(), lit.s), true
			case pattern.LitHex, pattern.LitBinary:
				if b, valid := latin1(v.v.Str()); valid {
					c, ok = bytes.Compare(b, lit.b), true
				}
			}
		}
	}
	if !ok {
		return false, nil
	}
	switch t.op {
	case pattern.OpLt:
		return c < 0, nil
	case pattern.OpLe:
		return c <= 0, nil
	case pattern.OpGt:
		return c > 0, nil
	}
	return c >= 0, nil
}

// compareNumber compares a JSON number with a numeric literal exactly: an
// int64 and a float64 are compared as mathematical values, without the
// rounding a conversion to float64 would bring.
func compareNumber(v observation.Value, lit *literal) int {
	vInt := v.Kind() == observation.Int
	litInt := lit.kind == pattern.LitInt && !lit.big
	switch {
	case vInt && litInt:
		return cmpInt(v.Int(), lit.i)
	case vInt:
		return -cmpFloatInt(litFloat(lit), v.Int())
	case litInt:
		return cmpFloatInt(v.Float(), lit.i)
	}
	return cmpFloat(v.Float(), litFloat(lit))
}

func litFloat(lit *literal) float64 {
	if lit.kind == pattern.LitInt && !lit.big {
		return float64(lit.i)
	}
	return lit.f
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloatInt compares f with i exactly.
func cmpFloatInt(f float64, i int64) int {
	if math.IsNaN(f) {
		return -1
	}
	if f >= 9.3e18 { // beyond every int64
		return 1
	}
	if f <= -9.3e18 {
		return -1
	}
	t := math.Trunc(f)
	ti := int64(t)
	if c := cmpInt(ti, i); c != 0 {
		return c
	}
	return cmpFloat(f, t) // the fraction decides
}

// latin1 converts a string to bytes, one byte per code point, when every
// code point is below 256.
func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

// bytesAsLatin1 maps each byte to the code point of the same number.
func bytesAsLatin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// likeMatch implements LIKE: % is any sequence, _ one character, both
// sides NFC-normalised; bytes are read as UTF-8 when the pattern allows.
func (t *test) likeMatch(v value) bool {
	var s string
	switch {
	case v.isBytes:
		if !t.likeBin || !utf8.Valid(v.bytes) {
			return false
		}
		s = string(v.bytes)
	case v.v.Kind() == observation.String:
		s = v.v.Str()
	default:
		return false
	}
	return likeRunes(t.like, []rune(norm.NFC.String(s)))
}

// likeRunes matches a LIKE pattern with an iterative wildcard algorithm:
// linear space, and quadratic time in the worst case.
func likeRunes(p, s []rune) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '_' || p[pi] != '%' && p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// regexMatch implements MATCHES: an unanchored search on the NFC form of a
// string, or on bytes read as Latin-1 when the expression allows.
func (t *test) regexMatch(v value) bool {
	switch {
	case v.isBytes:
		return t.reBin && t.re.MatchString(bytesAsLatin1(v.bytes))
	case v.v.Kind() == observation.String:
		return t.re.MatchString(norm.NFC.String(v.v.Str()))
	}
	return false
}

// cidrMatch implements ISSUBSET (the value lies in the literal's prefix)
// and ISSUPERSET (the value's prefix holds the literal). Non-strings never
// match; a string that is not an address or prefix is an error.
func (t *test) cidrMatch(v value) (bool, error) {
	if v.isBytes || v.v.Kind() != observation.String {
		return false, nil
	}
	if t.cidrErr != nil {
		return false, fmt.Errorf("%w: %s %q is not an IP address or CIDR: %v", ErrInvalidData, t.op, t.lit.s, t.cidrErr)
	}
	p, err := parsePrefix(v.v.Str())
	if err != nil {
		return false, fmt.Errorf("%w: %q is not an IP address or CIDR", ErrInvalidData, v.v.Str())
	}
	if t.op == pattern.OpIsSubset {
		return prefixContains(t.cidr, p), nil
	}
	return prefixContains(p, t.cidr), nil
}

// prefixContains reports whether outer holds every address of inner.
func prefixContains(outer, inner netip.Prefix) bool {
	return outer.Addr().Is4() == inner.Addr().Is4() &&
		outer.Bits() <= inner.Bits() &&
		outer.Masked().Contains(inner.Addr())
}
