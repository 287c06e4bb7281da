package pattern

import (
	"strings"
)

// String returns the canonical text of the pattern: single spaces around
// operators, no comments, `=` and `!=` for the equality operators, and
// parentheses where the source had them or where precedence needs them.
// Parsing the result gives the same tree.
func (p *Pattern) String() string {
	var b strings.Builder
	b.Grow(len(p.Source) + 16)
	writeObs(&b, p.Root)
	return b.String()
}

// String returns the canonical text of one comparison.
func (c *Comparison) String() string {
	var b strings.Builder
	writeComparison(&b, c)
	return b.String()
}

// String returns the canonical text of an object path.
func (op ObjectPath) String() string {
	var b strings.Builder
	writePath(&b, op)
	return b.String()
}

// String returns the canonical text of a literal.
func (l Literal) String() string {
	var b strings.Builder
	writeLiteral(&b, l)
	return b.String()
}

// FormatObs returns the canonical text of an observation expression.
func FormatObs(e ObsExpr) string {
	var b strings.Builder
	writeObs(&b, e)
	return b.String()
}

// FormatCmp returns the canonical text of a comparison expression.
func FormatCmp(e CmpExpr) string {
	var b strings.Builder
	writeCmp(&b, e)
	return b.String()
}

func obsPrec(e ObsExpr) int {
	if b, ok := e.(*ObsBinary); ok {
		return int(b.Op) // FOLLOWEDBY 0 < OR 1 < AND 2
	}
	return 3
}

func writeObs(b *strings.Builder, e ObsExpr) {
	switch n := e.(type) {
	case *ObsSimple:
		b.WriteByte('[')
		writeCmp(b, n.Expr)
		b.WriteByte(']')
	case *ObsGroup:
		b.WriteByte('(')
		writeObs(b, n.Inner)
		b.WriteByte(')')
	case *ObsBinary:
		// Left-associative: a right operand of the same precedence needs
		// parentheses, a left one does not.
		writeObsOperand(b, n.Left, obsPrec(n.Left) < int(n.Op))
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
		b.WriteByte(' ')
		writeObsOperand(b, n.Right, obsPrec(n.Right) <= int(n.Op))
	case *ObsQualified:
		writeObsOperand(b, n.Inner, obsPrec(n.Inner) < 3)
		writeQualifier(b, n.Qual)
	}
}

func writeObsOperand(b *strings.Builder, e ObsExpr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	writeObs(b, e)
	if paren {
		b.WriteByte(')')
	}
}

func writeQualifier(b *strings.Builder, q Qualifier) {
	switch q.Kind {
	case QualWithin:
		b.WriteString(" WITHIN ")
		b.WriteString(strings.TrimPrefix(q.Text, "+"))
		b.WriteString(" SECONDS")
	case QualRepeats:
		b.WriteString(" REPEATS ")
		b.WriteString(strings.TrimPrefix(q.Text, "+"))
		b.WriteString(" TIMES")
	case QualStartStop:
		b.WriteString(" START ")
		b.WriteString(q.Text)
		b.WriteString(" STOP ")
		b.WriteString(q.StopText)
	}
}

func cmpPrec(e CmpExpr) int {
	if b, ok := e.(*CmpBinary); ok {
		return int(b.Op) // OR 0 < AND 1
	}
	return 2
}

func writeCmp(b *strings.Builder, e CmpExpr) {
	switch n := e.(type) {
	case *Comparison:
		writeComparison(b, n)
	case *CmpGroup:
		b.WriteByte('(')
		writeCmp(b, n.Inner)
		b.WriteByte(')')
	case *CmpBinary:
		writeCmpOperand(b, n.Left, cmpPrec(n.Left) < int(n.Op))
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
		b.WriteByte(' ')
		writeCmpOperand(b, n.Right, cmpPrec(n.Right) <= int(n.Op))
	}
}

func writeCmpOperand(b *strings.Builder, e CmpExpr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	writeCmp(b, e)
	if paren {
		b.WriteByte(')')
	}
}

func writeComparison(b *strings.Builder, c *Comparison) {
	if c.Op == OpExists {
		if c.Negated {
			b.WriteString("NOT ")
		}
		b.WriteString("EXISTS ")
		writePath(b, c.Path)
		return
	}
	writePath(b, c.Path)
	b.WriteByte(' ')
	if c.Negated {
		b.WriteString("NOT ")
	}
	b.WriteString(c.Op.String())
	b.WriteByte(' ')
	if c.Op == OpIn {
		b.WriteByte('(')
		for i, l := range c.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, l)
		}
		b.WriteByte(')')
		return
	}
	writeLiteral(b, c.Value)
}

func writePath(b *strings.Builder, p ObjectPath) {
	b.WriteString(p.ObjectType)
	b.WriteByte(':')
	for i, s := range p.Steps {
		switch s.Kind {
		case StepKey:
			if i > 0 {
				b.WriteByte('.')
			}
			if s.Quoted || !isPlainKey(s.Key) {
				writeQuoted(b, s.Key)
			} else {
				b.WriteString(s.Key)
			}
		case StepIndex:
			b.WriteByte('[')
			if s.Text != "" {
				b.WriteString(strings.TrimPrefix(s.Text, "+"))
			} else {
				b.WriteString(formatInt(s.Index))
			}
			b.WriteByte(']')
		case StepAny:
			b.WriteString("[*]")
		}
	}
}

// isPlainKey reports whether key can be written without quotes: an
// identifier without a hyphen that is not a keyword.
func isPlainKey(key string) bool {
	if key == "" || !isIdentStart(key[0]) {
		return false
	}
	for i := 1; i < len(key); i++ {
		if !isIdentChar(key[i]) {
			return false
		}
	}
	_, kw := keyword(key)
	return !kw
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
}

func writeLiteral(b *strings.Builder, l Literal) {
	switch l.Kind {
	case LitString:
		writeQuoted(b, l.Str)
	case LitInt, LitFloat:
		if l.Text != "" {
			b.WriteString(strings.TrimPrefix(l.Text, "+"))
		} else if l.Kind == LitInt {
			b.WriteString(formatInt(l.Int))
		} else {
			b.WriteString(formatFloat(l.Float))
		}
	case LitBool:
		if l.Bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString(l.Text)
	}
}
