package pattern

import (
	"time"
)

// Pattern is a parsed STIX 2.1 pattern. It is immutable once returned by
// Parse and safe for concurrent use.
type Pattern struct {
	// Root is the top observation expression.
	Root ObsExpr
	// Source is the text that was parsed.
	Source string
}

// ObsExpr is an observation expression: *ObsSimple, *ObsBinary, *ObsGroup
// or *ObsQualified.
type ObsExpr interface{ obsExpr() }

// ObsOp is an operator between observation expressions.
type ObsOp uint8

// Observation operators, from the loosest binding to the tightest.
const (
	ObsFollowedBy ObsOp = iota
	ObsOr
	ObsAnd
)

func (o ObsOp) String() string {
	switch o {
	case ObsFollowedBy:
		return "FOLLOWEDBY"
	case ObsOr:
		return "OR"
	}
	return "AND"
}

// ObsSimple is `[comparison expression]`: one observation.
type ObsSimple struct {
	Pos  int
	Expr CmpExpr
}

// ObsBinary is `Left Op Right`.
type ObsBinary struct {
	Op          ObsOp
	Left, Right ObsExpr
}

// ObsGroup is a parenthesised observation expression. It is kept in the tree
// so that printing round-trips and the validator's qualifier rules can see
// it; it does not change the meaning.
type ObsGroup struct {
	Pos   int
	Inner ObsExpr
}

// QualKind is the kind of a qualifier.
type QualKind uint8

// Qualifier kinds.
const (
	QualWithin QualKind = iota
	QualRepeats
	QualStartStop
)

func (k QualKind) String() string {
	switch k {
	case QualWithin:
		return "WITHIN"
	case QualRepeats:
		return "REPEATS"
	}
	return "STARTSTOP"
}

// Qualifier is WITHIN n SECONDS, REPEATS n TIMES or START t STOP t.
type Qualifier struct {
	Kind QualKind
	Pos  int
	// Text is the number as written for WITHIN and REPEATS, and the two
	// timestamp literals for START/STOP ("t'…'").
	Text, StopText string
	// Seconds is the WITHIN duration.
	Seconds float64
	// Times is the REPEATS count.
	Times int64
	// Start and Stop are the START/STOP bounds.
	Start, Stop time.Time
}

// ObsQualified applies a qualifier to an observation expression.
type ObsQualified struct {
	Inner ObsExpr
	Qual  Qualifier
}

func (*ObsSimple) obsExpr()    {}
func (*ObsBinary) obsExpr()    {}
func (*ObsGroup) obsExpr()     {}
func (*ObsQualified) obsExpr() {}

// CmpExpr is a comparison expression inside brackets: *Comparison,
// *CmpBinary or *CmpGroup.
type CmpExpr interface{ cmpExpr() }

// CmpOp is a boolean operator between comparison expressions.
type CmpOp uint8

// Comparison-level boolean operators.
const (
	CmpOr CmpOp = iota
	CmpAnd
)

func (o CmpOp) String() string {
	if o == CmpOr {
		return "OR"
	}
	return "AND"
}

// CmpBinary is `Left AND Right` or `Left OR Right` inside brackets.
type CmpBinary struct {
	Op          CmpOp
	Left, Right CmpExpr
}

// CmpGroup is a parenthesised comparison expression.
type CmpGroup struct {
	Pos   int
	Inner CmpExpr
}

// Operator is a comparison operator.
type Operator uint8

// Comparison operators.
const (
	OpEq Operator = iota
	OpNeq
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn
	OpLike
	OpMatches
	OpIsSubset
	OpIsSuperset
	OpExists
)

var opNames = [...]string{"=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"}

func (o Operator) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "?"
}

// Comparison is one property test: `path [NOT] op value`, or
// `[NOT] EXISTS path`.
type Comparison struct {
	Pos  int
	Path ObjectPath
	// Negated is the NOT prefix of the operator.
	Negated bool
	Op      Operator
	// OpText is the operator as written ("==", "<>", …), for inspection.
	OpText string
	// Value is the literal; unused for IN and EXISTS.
	Value Literal
	// Set is the set literal of IN.
	Set []Literal
}

func (*Comparison) cmpExpr() {}
func (*CmpBinary) cmpExpr()  {}
func (*CmpGroup) cmpExpr()   {}

// ObjectPath is `type:property(.key|[n]|[*])*`.
type ObjectPath struct {
	ObjectType string
	// Steps has at least one element, the first property, which is a key.
	Steps []PathStep
}

// StepKind is the kind of one object path step.
type StepKind uint8

// Path step kinds.
const (
	StepKey   StepKind = iota // .name or .'quoted name'
	StepIndex                 // [n]
	StepAny                   // [*]
)

// PathStep is one step of an object path.
type PathStep struct {
	Kind StepKind
	// Key is the property name, unescaped.
	Key string
	// Quoted records that the key was written as a string literal.
	Quoted bool
	// Index is the list index of a StepIndex step (may be negative).
	Index int64
	// Text is the index as written, for StepIndex.
	Text string
}

// LitKind is the kind of a literal.
type LitKind uint8

// Literal kinds.
const (
	LitInt LitKind = iota
	LitFloat
	LitString
	LitBool
	LitBinary // b'base64'
	LitHex    // h'hex'
	LitTimestamp
)

func (k LitKind) String() string {
	switch k {
	case LitInt:
		return "int"
	case LitFloat:
		return "float"
	case LitString:
		return "string"
	case LitBool:
		return "bool"
	case LitBinary:
		return "binary"
	case LitHex:
		return "hex"
	}
	return "timestamp"
}

// Literal is a constant in a pattern.
type Literal struct {
	Kind LitKind
	// Text is the token exactly as written.
	Text string
	// Int holds LitInt values that fit in int64; BigInt is set when the
	// integer does not fit, and Float then holds its approximate value.
	Int    int64
	BigInt bool
	// Float holds LitFloat values.
	Float float64
	// Str holds the unescaped LitString value.
	Str string
	// Bool holds LitBool values.
	Bool bool
	// Bytes holds LitBinary and LitHex values.
	Bytes []byte
	// Time holds LitTimestamp values, truncated to microseconds as the
	// reference implementation does.
	Time time.Time
}

// IsNumber reports whether the literal is an int or a float.
func (l *Literal) IsNumber() bool { return l.Kind == LitInt || l.Kind == LitFloat }

// Number returns an int or float literal as a float64.
func (l *Literal) Number() float64 {
	if l.Kind == LitInt && !l.BigInt {
		return float64(l.Int)
	}
	return l.Float
}
