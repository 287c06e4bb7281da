package pattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports why and where a pattern does not parse.
type SyntaxError struct {
	Offset int    // byte offset of the offending input
	Line   int    // 1-based line
	Column int    // 1-based column, in characters
	Msg    string // the reason
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("pattern: syntax error at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func newSyntaxError(src string, off int, format string, args ...any) *SyntaxError {
	if off > len(src) {
		off = len(src)
	}
	line, col := 1, 1
	for _, r := range src[:off] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return &SyntaxError{Offset: off, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// lexer turns a pattern into tokens, following the lexer rules of the OASIS
// STIXPattern.g4 grammar for STIX 2.1: longest match, keywords before
// identifiers, and white space and comments skipped.
type lexer struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isBase64Char(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '+' || c == '/'
}

// isSpace reports the white space the grammar skips.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\v', '\f', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// skip passes over white space and comments.
func (l *lexer) skip() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f':
				l.pos++
				continue
			case c == '/' && strings.HasPrefix(l.src[l.pos:], "/*"):
				end := strings.Index(l.src[l.pos+2:], "*/")
				if end < 0 {
					return newSyntaxError(l.src, l.pos, "unterminated comment")
				}
				l.pos += 2 + end + 2
				continue
			case c == '/' && strings.HasPrefix(l.src[l.pos:], "//"):
				end := strings.IndexAny(l.src[l.pos:], "\r\n")
				if end < 0 {
					l.pos = len(l.src)
				} else {
					l.pos += end
				}
				continue
			}
			return nil
		}
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isSpace(r) {
			return nil
		}
		l.pos += size
	}
	return nil
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[start]
	tok := func(k tokKind, n int) (token, error) {
		l.pos = start + n
		return token{kind: k, pos: start, text: l.src[start : start+n]}, nil
	}
	rest := l.src[start:]
	switch {
	case c == '\'':
		return l.stringLit()
	case (c == 'h' || c == 'b' || c == 't') && len(rest) > 1 && rest[1] == '\'':
		return l.prefixedLit(c)
	case isIdentStart(c):
		n, hyphen := 1, false
		for n < len(rest) && (isIdentChar(rest[n]) || rest[n] == '-') {
			if rest[n] == '-' {
				hyphen = true
			}
			n++
		}
		if hyphen {
			return tok(tokIdentHyphen, n)
		}
		if k, ok := keyword(rest[:n]); ok {
			return tok(k, n)
		}
		return tok(tokIdentNoHyphen, n)
	case isDigit(c) || c == '.' || c == '+' || c == '-':
		if n, k := numberPrefix(rest); n > 0 {
			return tok(k, n)
		}
	}
	switch c {
	case '=':
		if strings.HasPrefix(rest, "==") {
			return tok(tokEq, 2)
		}
		return tok(tokEq, 1)
	case '!':
		if strings.HasPrefix(rest, "!=") {
			return tok(tokNeq, 2)
		}
	case '<':
		if strings.HasPrefix(rest, "<>") {
			return tok(tokNeq, 2)
		}
		if strings.HasPrefix(rest, "<=") {
			return tok(tokLe, 2)
		}
		return tok(tokLt, 1)
	case '>':
		if strings.HasPrefix(rest, ">=") {
			return tok(tokGe, 2)
		}
		return tok(tokGt, 1)
	case ':':
		return tok(tokColon, 1)
	case '.':
		return tok(tokDot, 1)
	case ',':
		return tok(tokComma, 1)
	case '(':
		return tok(tokLParen, 1)
	case ')':
		return tok(tokRParen, 1)
	case '[':
		return tok(tokLBrack, 1)
	case ']':
		return tok(tokRBrack, 1)
	case '+':
		return tok(tokPlus, 1)
	case '-':
		return tok(tokMinus, 1)
	case '^':
		return tok(tokPower, 1)
	case '/':
		return tok(tokDivide, 1)
	case '*':
		return tok(tokAsterisk, 1)
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return token{}, newSyntaxError(l.src, start, "unexpected character %q", r)
}

// numberPrefix matches the longest int or float literal at the start of s:
// IntPos '+'? ('0'|[1-9][0-9]*), IntNeg '-' ('0'|[1-9][0-9]*) and
// Float [+-]? [0-9]* '.' [0-9]+. It returns 0 when none matches.
func numberPrefix(s string) (int, tokKind) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digits := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intEnd := i
	// Float: [0-9]* '.' [0-9]+
	if i < len(s) && s[i] == '.' && i+1 < len(s) && isDigit(s[i+1]) {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if neg {
			return j, tokFloatNeg
		}
		return j, tokFloatPos
	}
	if intEnd == digits {
		return 0, 0
	}
	// Int: '0' alone or no leading zero; the longest valid prefix.
	n := intEnd
	if s[digits] == '0' {
		n = digits + 1
	}
	if neg {
		return n, tokIntNeg
	}
	return n, tokIntPos
}

// stringLit lexes 'text' where only \' and \\ are escapes.
func (l *lexer) stringLit() (token, error) {
	start := l.pos
	i := start + 1
	for i < len(l.src) {
		switch l.src[i] {
		case '\'':
			l.pos = i + 1
			return token{kind: tokString, pos: start, text: l.src[start:l.pos]}, nil
		case '\\':
			if i+1 < len(l.src) && (l.src[i+1] == '\'' || l.src[i+1] == '\\') {
				i += 2
				continue
			}
			return token{}, newSyntaxError(l.src, i, "invalid escape in string literal: only \\' and \\\\ are allowed")
		default:
			i++
		}
	}
	return token{}, newSyntaxError(l.src, start, "unterminated string literal")
}

// prefixedLit lexes h'..', b'..' and t'..' literals.
func (l *lexer) prefixedLit(prefix byte) (token, error) {
	start := l.pos
	end := strings.IndexByte(l.src[start+2:], '\'')
	if end < 0 {
		return token{}, newSyntaxError(l.src, start, "unterminated %c'' literal", prefix)
	}
	body := l.src[start+2 : start+2+end]
	var kind tokKind
	var bad string
	switch prefix {
	case 'h':
		kind = tokHex
		bad = checkHex(body)
	case 'b':
		kind = tokBinary
		bad = checkBase64(body)
	case 't':
		kind = tokTimestamp
		bad = checkTimestamp(body)
	}
	if bad != "" {
		return token{}, newSyntaxError(l.src, start, "invalid %s %s: %s", kind, l.src[start:start+3+end], bad)
	}
	l.pos = start + 3 + end
	return token{kind: kind, pos: start, text: l.src[start:l.pos]}, nil
}

func checkHex(body string) string {
	if len(body)%2 != 0 {
		return "needs an even number of hex digits"
	}
	for i := 0; i < len(body); i++ {
		if !isHexDigit(body[i]) {
			return "not a hex digit: " + fmt.Sprintf("%q", body[i])
		}
	}
	return ""
}

// checkBase64 follows the grammar: groups of four base64 characters, the last
// group possibly padded with one or two '=', and at least one group.
func checkBase64(body string) string {
	if len(body) == 0 || len(body)%4 != 0 {
		return "base64 needs a multiple of 4 characters, at least 4"
	}
	pad := 0
	if strings.HasSuffix(body, "==") {
		pad = 2
	} else if strings.HasSuffix(body, "=") {
		pad = 1
	}
	for i := 0; i < len(body)-pad; i++ {
		if !isBase64Char(body[i]) {
			return "not a base64 character: " + fmt.Sprintf("%q", body[i])
		}
	}
	return ""
}

// checkTimestamp follows the grammar's TimestampLiteral:
// YYYY-MM-DDTHH:MM:SS(.frac)?Z with month 01-12, day 01-31, hour 00-23,
// minute 00-59 and second 00-60.
func checkTimestamp(s string) string {
	const msg = "want YYYY-MM-DDTHH:MM:SS[.fraction]Z"
	if len(s) < 20 {
		return msg
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(s[i]) {
			return msg
		}
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return msg
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	switch {
	case two(5) < 1 || two(5) > 12:
		return "month out of range"
	case two(8) < 1 || two(8) > 31:
		return "day out of range"
	case two(11) > 23:
		return "hour out of range"
	case two(14) > 59:
		return "minute out of range"
	case two(17) > 60:
		return "second out of range"
	}
	rest := s[19:]
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && isDigit(rest[j]) {
			j++
		}
		if j == 1 {
			return msg
		}
		rest = rest[j:]
	}
	if rest != "Z" {
		return msg
	}
	return ""
}
