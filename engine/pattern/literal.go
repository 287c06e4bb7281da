package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// formatFloat writes a float the grammar accepts: digits, a dot and digits,
// never an exponent.
func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// StringLiteral returns a string literal holding s.
func StringLiteral(s string) Literal {
	var b strings.Builder
	b.Grow(len(s) + 2)
	writeQuoted(&b, s)
	return Literal{Kind: LitString, Str: s, Text: b.String()}
}

// IntLiteral returns an integer literal.
func IntLiteral(n int64) Literal {
	return Literal{Kind: LitInt, Int: n, Text: formatInt(n)}
}

// FloatLiteral returns a float literal.
func FloatLiteral(f float64) Literal {
	return Literal{Kind: LitFloat, Float: f, Text: formatFloat(f)}
}

// BoolLiteral returns a boolean literal.
func BoolLiteral(v bool) Literal {
	if v {
		return Literal{Kind: LitBool, Bool: true, Text: "true"}
	}
	return Literal{Kind: LitBool, Text: "false"}
}

// HexLiteral returns an h'…' literal holding b.
func HexLiteral(b []byte) Literal {
	return Literal{Kind: LitHex, Bytes: b, Text: "h'" + hex.EncodeToString(b) + "'"}
}

// BinaryLiteral returns a b'…' literal holding b. The grammar has no empty
// binary literal, so an empty b gives an empty hex literal.
func BinaryLiteral(b []byte) Literal {
	if len(b) == 0 {
		return HexLiteral(b)
	}
	return Literal{Kind: LitBinary, Bytes: b, Text: "b'" + base64.StdEncoding.EncodeToString(b) + "'"}
}

// TimestampLiteral returns a t'…' literal for t, in UTC with microsecond
// precision.
func TimestampLiteral(t time.Time) Literal {
	t = t.UTC().Truncate(time.Microsecond)
	return Literal{Kind: LitTimestamp, Time: t, Text: "t'" + FormatTimestamp(t) + "'"}
}

// FormatTimestamp formats t the way STIX timestamps are written:
// YYYY-MM-DDTHH:MM:SS[.ffffff]Z, in UTC, without trailing zeros in the
// fraction.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999999Z")
}
