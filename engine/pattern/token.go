package pattern

import "strconv"

// tokKind is the kind of a lexical token of the STIX 2.1 patterning grammar.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokIntPos
	tokIntNeg
	tokFloatPos
	tokFloatNeg
	tokHex
	tokBinary
	tokString
	tokBool
	tokTimestamp
	tokAnd
	tokOr
	tokNot
	tokFollowedBy
	tokLike
	tokMatches
	tokIsSuperset
	tokIsSubset
	tokExists
	tokLast
	tokIn
	tokStart
	tokStop
	tokSeconds
	tokWithin
	tokRepeats
	tokTimes
	tokIdentNoHyphen // [a-zA-Z_][a-zA-Z0-9_]*
	tokIdentHyphen   // [a-zA-Z_][a-zA-Z0-9_-]* with at least one '-'
	tokEq
	tokNeq
	tokLt
	tokLe
	tokGt
	tokGe
	tokColon
	tokDot
	tokComma
	tokRParen
	tokLParen
	tokRBrack
	tokLBrack
	tokPlus
	tokMinus
	tokPower
	tokDivide
	tokAsterisk
)

var tokNames = [...]string{
	tokEOF:           "end of pattern",
	tokIntPos:        "integer",
	tokIntNeg:        "negative integer",
	tokFloatPos:      "float",
	tokFloatNeg:      "negative float",
	tokHex:           "hex literal",
	tokBinary:        "binary literal",
	tokString:        "string literal",
	tokBool:          "boolean",
	tokTimestamp:     "timestamp literal",
	tokAnd:           "AND",
	tokOr:            "OR",
	tokNot:           "NOT",
	tokFollowedBy:    "FOLLOWEDBY",
	tokLike:          "LIKE",
	tokMatches:       "MATCHES",
	tokIsSuperset:    "ISSUPERSET",
	tokIsSubset:      "ISSUBSET",
	tokExists:        "EXISTS",
	tokLast:          "LAST",
	tokIn:            "IN",
	tokStart:         "START",
	tokStop:          "STOP",
	tokSeconds:       "SECONDS",
	tokWithin:        "WITHIN",
	tokRepeats:       "REPEATS",
	tokTimes:         "TIMES",
	tokIdentNoHyphen: "identifier",
	tokIdentHyphen:   "identifier",
	tokEq:            "'='",
	tokNeq:           "'!='",
	tokLt:            "'<'",
	tokLe:            "'<='",
	tokGt:            "'>'",
	tokGe:            "'>='",
	tokColon:         "':'",
	tokDot:           "'.'",
	tokComma:         "','",
	tokRParen:        "')'",
	tokLParen:        "'('",
	tokRBrack:        "']'",
	tokLBrack:        "'['",
	tokPlus:          "'+'",
	tokMinus:         "'-'",
	tokPower:         "'^'",
	tokDivide:        "'/'",
	tokAsterisk:      "'*'",
}

func (k tokKind) String() string {
	if int(k) < len(tokNames) && tokNames[k] != "" {
		return tokNames[k]
	}
	return "token(" + strconv.Itoa(int(k)) + ")"
}

// keyword returns the token kind of a keyword, or false for an
// identifier. Keywords are case-sensitive, as in the STIX 2.1 grammar. LAST is
// reserved and unused; true and false are the only boolean spellings.
func keyword(s string) (tokKind, bool) {
	switch s {
	case "AND":
		return tokAnd, true
	case "OR":
		return tokOr, true
	case "NOT":
		return tokNot, true
	case "FOLLOWEDBY":
		return tokFollowedBy, true
	case "LIKE":
		return tokLike, true
	case "MATCHES":
		return tokMatches, true
	case "ISSUPERSET":
		return tokIsSuperset, true
	case "ISSUBSET":
		return tokIsSubset, true
	case "EXISTS":
		return tokExists, true
	case "LAST":
		return tokLast, true
	case "IN":
		return tokIn, true
	case "START":
		return tokStart, true
	case "STOP":
		return tokStop, true
	case "SECONDS":
		return tokSeconds, true
	case "WITHIN":
		return tokWithin, true
	case "REPEATS":
		return tokRepeats, true
	case "TIMES":
		return tokTimes, true
	case "true", "false":
		return tokBool, true
	}
	return 0, false
}

// token is one lexical token. text is the exact source text.
type token struct {
	kind tokKind
	pos  int // byte offset in the source
	text string
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of pattern"
	case tokIdentNoHyphen, tokIdentHyphen:
		return "identifier " + strconv.Quote(t.text)
	}
	if t.kind >= tokEq {
		return t.kind.String()
	}
	if len(t.text) > 40 {
		return t.kind.String() + " " + strconv.Quote(t.text[:37]+"...")
	}
	return t.kind.String() + " " + strconv.Quote(t.text)
}
