package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxNesting bounds how deeply brackets and parentheses may nest, so that
// hostile input cannot drive the recursive-descent parser arbitrarily deep.
const MaxNesting = 200

// Parse parses a STIX 2.1 pattern. It accepts exactly the language of the
// OASIS STIXPattern.g4 grammar for STIX 2.1 and returns a *SyntaxError with
// a position and a reason otherwise. Parse does not apply the extra rules of
// the reference validator; see Validate.
func Parse(src string) (*Pattern, error) {
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.obsFollowedBy()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.unexpected("AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern")
	}
	return &Pattern{Root: root, Source: src}, nil
}

// MustParse is Parse for patterns known to be valid, such as constants in
// tests; it panics on error.
func MustParse(src string) *Pattern {
	p, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return p
}

type parser struct {
	lex   lexer
	tok   token
	depth int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errAt(off int, format string, args ...any) error {
	return newSyntaxError(p.lex.src, off, format, args...)
}

func (p *parser) unexpected(want string) error {
	return p.errAt(p.tok.pos, "expected %s, found %s", want, p.tok.describe())
}

func (p *parser) expect(k tokKind, want string) (token, error) {
	if p.tok.kind != k {
		return token{}, p.unexpected(want)
	}
	t := p.tok
	return t, p.advance()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxNesting {
		return p.errAt(p.tok.pos, "brackets and parentheses nest deeper than %d", MaxNesting)
	}
	return nil
}

// obsFollowedBy: obsOr (FOLLOWEDBY obsOr)*
func (p *parser) obsFollowedBy() (ObsExpr, error) {
	return p.obsChain(tokFollowedBy, ObsFollowedBy, p.obsOr)
}

// obsOr: obsAnd (OR obsAnd)*
func (p *parser) obsOr() (ObsExpr, error) { return p.obsChain(tokOr, ObsOr, p.obsAnd) }

// obsAnd: obsPostfix (AND obsPostfix)*
func (p *parser) obsAnd() (ObsExpr, error) { return p.obsChain(tokAnd, ObsAnd, p.obsPostfix) }

func (p *parser) obsChain(k tokKind, op ObsOp, operand func() (ObsExpr, error)) (ObsExpr, error) {
	return chain(p, k, operand, func(l, r ObsExpr) ObsExpr { return &ObsBinary{Op: op, Left: l, Right: r} })
}

// chain parses operand (k operand)*, joining left-associatively.
func chain[T any](p *parser, k tokKind, operand func() (T, error), join func(l, r T) T) (T, error) {
	left, err := operand()
	if err != nil {
		return left, err
	}
	for p.tok.kind == k {
		if err := p.advance(); err != nil {
			return left, err
		}
		right, err := operand()
		if err != nil {
			return left, err
		}
		left = join(left, right)
	}
	return left, nil
}

// nested parses an opening bracket or parenthesis (the current token),
// inner, and the closing token, bounding the nesting depth.
func nested[T any](p *parser, closing tokKind, want string, inner func() (T, error)) (T, error) {
	var zero T
	if err := p.enter(); err != nil {
		return zero, err
	}
	if err := p.advance(); err != nil {
		return zero, err
	}
	v, err := inner()
	if err != nil {
		return zero, err
	}
	if _, err := p.expect(closing, want); err != nil {
		return zero, err
	}
	p.depth--
	return v, nil
}

// obsPostfix: obsPrimary qualifier*
func (p *parser) obsPostfix() (ObsExpr, error) {
	e, err := p.obsPrimary()
	if err != nil {
		return nil, err
	}
	for {
		var q Qualifier
		q.Pos = p.tok.pos
		switch p.tok.kind {
		case tokWithin:
			q.Kind = QualWithin
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tokIntPos && p.tok.kind != tokFloatPos {
				return nil, p.unexpected("a positive number of seconds")
			}
			q.Text = p.tok.text
			q.Seconds, _ = strconv.ParseFloat(q.Text, 64)
			if err := p.advance(); err != nil {
				return nil, err
			}
			if _, err := p.expect(tokSeconds, "SECONDS"); err != nil {
				return nil, err
			}
		case tokRepeats:
			q.Kind = QualRepeats
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tokIntPos {
				return nil, p.unexpected("a positive integer")
			}
			q.Text = p.tok.text
			n, err := strconv.ParseInt(q.Text, 10, 64)
			if err != nil {
				n = math.MaxInt64
			}
			q.Times = n
			if err := p.advance(); err != nil {
				return nil, err
			}
			if _, err := p.expect(tokTimes, "TIMES"); err != nil {
				return nil, err
			}
		case tokStart:
			q.Kind = QualStartStop
			if err := p.advance(); err != nil {
				return nil, err
			}
			start, err := p.expect(tokTimestamp, "a timestamp literal t'…'")
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tokStop, "STOP"); err != nil {
				return nil, err
			}
			stop, err := p.expect(tokTimestamp, "a timestamp literal t'…'")
			if err != nil {
				return nil, err
			}
			q.Text, q.StopText = start.text, stop.text
			q.Start = parseTimestamp(start.text[2 : len(start.text)-1])
			q.Stop = parseTimestamp(stop.text[2 : len(stop.text)-1])
		default:
			return e, nil
		}
		e = &ObsQualified{Inner: e, Qual: q}
	}
}

// obsPrimary: '[' cmpOr ']' | '(' obsFollowedBy ')'
func (p *parser) obsPrimary() (ObsExpr, error) {
	pos := p.tok.pos
	switch p.tok.kind {
	case tokLBrack:
		c, err := nested(p, tokRBrack, "AND, OR or ']'", p.cmpOr)
		if err != nil {
			return nil, err
		}
		return &ObsSimple{Pos: pos, Expr: c}, nil
	case tokLParen:
		inner, err := nested(p, tokRParen, "AND, OR, FOLLOWEDBY, a qualifier or ')'", p.obsFollowedBy)
		if err != nil {
			return nil, err
		}
		return &ObsGroup{Pos: pos, Inner: inner}, nil
	}
	return nil, p.unexpected("'[' or '('")
}

// cmpOr: cmpAnd (OR cmpAnd)*
func (p *parser) cmpOr() (CmpExpr, error) { return p.cmpChain(tokOr, CmpOr, p.cmpAnd) }

// cmpAnd: propTest (AND propTest)*
func (p *parser) cmpAnd() (CmpExpr, error) { return p.cmpChain(tokAnd, CmpAnd, p.propTest) }

func (p *parser) cmpChain(k tokKind, op CmpOp, operand func() (CmpExpr, error)) (CmpExpr, error) {
	return chain(p, k, operand, func(l, r CmpExpr) CmpExpr { return &CmpBinary{Op: op, Left: l, Right: r} })
}

// propTest: '(' cmpOr ')' | NOT? EXISTS objectPath | objectPath NOT? op literal
func (p *parser) propTest() (CmpExpr, error) {
	pos := p.tok.pos
	switch p.tok.kind {
	case tokLParen:
		inner, err := nested(p, tokRParen, "AND, OR or ')'", p.cmpOr)
		if err != nil {
			return nil, err
		}
		return &CmpGroup{Pos: pos, Inner: inner}, nil
	case tokNot, tokExists:
		c := &Comparison{Pos: pos, Op: OpExists}
		if p.tok.kind == tokNot {
			c.Negated = true
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		t, err := p.expect(tokExists, "EXISTS")
		if err != nil {
			return nil, err
		}
		c.OpText = t.text
		if c.Path, err = p.objectPath(); err != nil {
			return nil, err
		}
		return c, nil
	}
	path, err := p.objectPath()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Pos: pos, Path: path}
	if p.tok.kind == tokNot {
		c.Negated = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	opTok := p.tok
	c.OpText = opTok.text
	switch opTok.kind {
	case tokEq, tokNeq:
		c.Op = OpEq
		if opTok.kind == tokNeq {
			c.Op = OpNeq
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		c.Value, err = p.literal(true)
	case tokLt, tokLe, tokGt, tokGe:
		c.Op = tokOperator(opTok.kind)
		if err := p.advance(); err != nil {
			return nil, err
		}
		c.Value, err = p.literal(false)
	case tokIn:
		c.Op = OpIn
		if err := p.advance(); err != nil {
			return nil, err
		}
		c.Set, err = p.setLiteral()
	case tokLike, tokMatches, tokIsSubset, tokIsSuperset:
		c.Op = tokOperator(opTok.kind)
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tokString {
			return nil, p.unexpected("a string literal")
		}
		c.Value, err = p.literal(false)
	default:
		if c.Negated {
			return nil, p.unexpected("a comparison operator after NOT")
		}
		return nil, p.unexpected("a comparison operator")
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func tokOperator(k tokKind) Operator {
	switch k {
	case tokLt:
		return OpLt
	case tokLe:
		return OpLe
	case tokGt:
		return OpGt
	case tokGe:
		return OpGe
	case tokLike:
		return OpLike
	case tokMatches:
		return OpMatches
	case tokIsSubset:
		return OpIsSubset
	}
	return OpIsSuperset
}

// objectPath: objectType ':' firstPathComponent objectPathComponent*
func (p *parser) objectPath() (ObjectPath, error) {
	var path ObjectPath
	if p.tok.kind != tokIdentNoHyphen && p.tok.kind != tokIdentHyphen {
		return path, p.unexpected("an object type")
	}
	path.ObjectType = p.tok.text
	if err := p.advance(); err != nil {
		return path, err
	}
	if _, err := p.expect(tokColon, "':' after the object type"); err != nil {
		return path, err
	}
	step, err := p.keyStep()
	if err != nil {
		return path, err
	}
	path.Steps = append(path.Steps, step)
	for {
		switch p.tok.kind {
		case tokDot:
			if err := p.advance(); err != nil {
				return path, err
			}
			step, err := p.keyStep()
			if err != nil {
				return path, err
			}
			path.Steps = append(path.Steps, step)
		case tokLBrack:
			if err := p.advance(); err != nil {
				return path, err
			}
			var step PathStep
			switch p.tok.kind {
			case tokAsterisk:
				step.Kind = StepAny
			case tokIntPos, tokIntNeg:
				step.Kind = StepIndex
				step.Text = p.tok.text
				n, err := strconv.ParseInt(p.tok.text, 10, 64)
				if err != nil {
					// Out of int64 range: an index that selects nothing.
					n = math.MinInt64
				}
				step.Index = n
			default:
				return path, p.unexpected("a list index or '*'")
			}
			if err := p.advance(); err != nil {
				return path, err
			}
			if _, err := p.expect(tokRBrack, "']'"); err != nil {
				return path, err
			}
			path.Steps = append(path.Steps, step)
		default:
			return path, nil
		}
	}
}

func (p *parser) keyStep() (PathStep, error) {
	switch p.tok.kind {
	case tokIdentNoHyphen:
		s := PathStep{Kind: StepKey, Key: p.tok.text}
		return s, p.advance()
	case tokString:
		s := PathStep{Kind: StepKey, Key: unescapeString(p.tok.text), Quoted: true}
		return s, p.advance()
	case tokIdentHyphen:
		return PathStep{}, p.errAt(p.tok.pos, "property name %q contains '-' and must be quoted: '%s'", p.tok.text, p.tok.text)
	}
	return PathStep{}, p.unexpected("a property name")
}

// setLiteral: '(' ')' | '(' primitiveLiteral (',' primitiveLiteral)* ')'
func (p *parser) setLiteral() ([]Literal, error) {
	if _, err := p.expect(tokLParen, "'(' to open a set"); err != nil {
		return nil, err
	}
	set := []Literal{}
	if p.tok.kind == tokRParen {
		return set, p.advance()
	}
	for {
		lit, err := p.literal(true)
		if err != nil {
			return nil, err
		}
		set = append(set, lit)
		if p.tok.kind == tokRParen {
			return set, p.advance()
		}
		if _, err := p.expect(tokComma, "',' or ')'"); err != nil {
			return nil, err
		}
	}
}

// literal parses a primitiveLiteral (booleans allowed) or an
// orderableLiteral.
func (p *parser) literal(allowBool bool) (Literal, error) {
	t := p.tok
	lit := Literal{Text: t.text}
	switch t.kind {
	case tokIntPos, tokIntNeg:
		lit.Kind = LitInt
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			lit.BigInt = true
			lit.Float, _ = strconv.ParseFloat(t.text, 64)
		}
		lit.Int = n
	case tokFloatPos, tokFloatNeg:
		lit.Kind = LitFloat
		lit.Float, _ = strconv.ParseFloat(t.text, 64)
	case tokString:
		lit.Kind = LitString
		lit.Str = unescapeString(t.text)
	case tokBool:
		if !allowBool {
			return lit, p.errAt(t.pos, "a boolean cannot be ordered; only =, != and IN take true or false")
		}
		lit.Kind = LitBool
		lit.Bool = t.text == "true"
	case tokHex:
		lit.Kind = LitHex
		lit.Bytes, _ = hex.DecodeString(t.text[2 : len(t.text)-1])
	case tokBinary:
		lit.Kind = LitBinary
		b, err := base64.StdEncoding.DecodeString(t.text[2 : len(t.text)-1])
		if err != nil {
			return lit, p.errAt(t.pos, "invalid base64 in %s: %v", t.text, err)
		}
		lit.Bytes = b
	case tokTimestamp:
		lit.Kind = LitTimestamp
		lit.Time = parseTimestamp(t.text[2 : len(t.text)-1])
	default:
		return lit, p.unexpected("a literal")
	}
	return lit, p.advance()
}

// unescapeString removes the quotes of a string literal token and resolves
// its two escapes, \' and \\.
func unescapeString(text string) string {
	body := text[1 : len(text)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' && i+1 < len(body) {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}

// parseTimestamp converts a timestamp already checked by checkTimestamp.
// Fractions beyond microseconds are truncated, as the reference matcher
// does; out-of-range days (Feb 30) and leap seconds normalise forward.
func parseTimestamp(s string) time.Time {
	num := func(i, n int) int {
		v := 0
		for _, c := range s[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	usec := 0
	if s[19] == '.' {
		frac := s[20 : len(s)-1]
		for i := 0; i < 6; i++ {
			usec *= 10
			if i < len(frac) {
				usec += int(frac[i] - '0')
			}
		}
	}
	return time.Date(num(0, 4), time.Month(num(5, 2)), num(8, 2), num(11, 2), num(14, 2), num(17, 2), usec*1000, time.UTC)
}
