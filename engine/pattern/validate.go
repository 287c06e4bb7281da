package pattern

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// ValidationError lists the problems Validate found.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "pattern: " + strings.Join(e.Problems, "; ")
}

// ErrMixedRootTypes is wrapped by CheckRootTypes errors.
var ErrMixedRootTypes = errors.New("pattern: AND operands cannot be satisfied by one object type")

// Validate applies the checks the OASIS reference validator
// (cti-pattern-validator, STIX 2.1 mode) makes on top of the grammar:
//   - the pattern starts with '[' after any '(' and white space;
//   - the value compared with file:hashes.<ALGO> (or any path through a
//     "hashes" property ending in a known algorithm) has that algorithm's
//     format: MD5 32 hex digits, SHA-1 40, SHA-256 64, SHA-512 128, SSDEEP…;
//   - no two qualifiers of the same kind apply directly to one observation
//     expression (`[X] WITHIN 1 SECONDS WITHIN 2 SECONDS`), unless a
//     parenthesised group stands between them.
//
// Deviation: for IN, each member of the set is checked as a hash, where the
// reference validator checks the text of the whole set (and so rejects every
// IN over hashes).
func (p *Pattern) Validate() error {
	var problems []string
	if !bracketsFirst(p.Source) {
		problems = append(problems, "the pattern must start with '[' (after any '(')")
	}
	walkComparisons(p.Root, func(c *Comparison) {
		problems = append(problems, checkHashes(c)...)
	})
	if q, dup := duplicateQualifier(p.Root); dup {
		problems = append(problems, "duplicate qualifier type "+q.String()+" on one observation expression")
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

func bracketsFirst(src string) bool {
	for _, r := range src {
		if unicode.IsSpace(r) || r == '(' {
			continue
		}
		return r == '['
	}
	return false
}

type hashFormat struct {
	name    string
	lengths []int // accepted hex lengths; nil for SSDEEP
}

// hashFormats is keyed by the algorithm name upper-cased without '-'.
func hashFormatFor(name string) (hashFormat, bool) {
	key := strings.ReplaceAll(strings.ToUpper(name), "-", "")
	switch key {
	case "MD5":
		return hashFormat{"MD5", []int{32}}, true
	case "MD6":
		return hashFormat{"MD6", []int{32, 40, 56, 64, 96, 128}}, true
	case "RIPEMD160":
		return hashFormat{"RIPEMD-160", []int{40}}, true
	case "SHA1":
		return hashFormat{"SHA-1", []int{40}}, true
	case "SHA224":
		return hashFormat{"SHA-224", []int{56}}, true
	case "SHA256":
		return hashFormat{"SHA-256", []int{64}}, true
	case "SHA384":
		return hashFormat{"SHA-384", []int{96}}, true
	case "SHA512":
		return hashFormat{"SHA-512", []int{128}}, true
	case "SHA3224":
		return hashFormat{"SHA3-224", []int{56}}, true
	case "SHA3256":
		return hashFormat{"SHA3-256", []int{64}}, true
	case "SHA3384":
		return hashFormat{"SHA3-384", []int{96}}, true
	case "SHA3512":
		return hashFormat{"SHA3-512", []int{128}}, true
	case "SSDEEP":
		return hashFormat{"SSDEEP", nil}, true
	case "WHIRLPOOL":
		return hashFormat{"WHIRLPOOL", []int{128}}, true
	}
	return hashFormat{}, false
}

func (f hashFormat) accepts(v string) bool {
	if f.lengths == nil { // SSDEEP: [a-zA-Z0-9/+:.]{1,128}
		if len(v) < 1 || len(v) > 128 {
			return false
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !(isIdentChar(c) && c != '_' || c == '/' || c == '+' || c == ':' || c == '.') {
				return false
			}
		}
		return true
	}
	ok := false
	for _, n := range f.lengths {
		ok = ok || len(v) == n
	}
	if !ok {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isHexDigit(v[i]) {
			return false
		}
	}
	return true
}

func checkHashes(c *Comparison) []string {
	if c.Op == OpExists {
		return nil
	}
	hasHashes := false
	for _, s := range c.Path.Steps {
		if s.Kind == StepKey && s.Key == "hashes" {
			hasHashes = true
		}
	}
	last := c.Path.Steps[len(c.Path.Steps)-1]
	if !hasHashes || last.Kind != StepKey {
		return nil
	}
	f, ok := hashFormatFor(last.Key)
	if !ok {
		return nil
	}
	values := []Literal{c.Value}
	if c.Op == OpIn {
		values = c.Set
	}
	var problems []string
	for _, v := range values {
		text := strings.ReplaceAll(v.Text, "'", "")
		if !f.accepts(text) {
			problems = append(problems, fmt.Sprintf("%q is not a valid %s hash", text, last.Key))
		}
	}
	return problems
}

// duplicateQualifier mirrors the reference validator's rule: after a simple
// observation expression, qualifiers applied to it are tracked by kind until
// a parenthesised group is closed; a repeated kind is an error.
func duplicateQualifier(root ObsExpr) (QualKind, bool) {
	var seen map[QualKind]bool // nil: not tracking
	var dup QualKind
	found := false
	var walk func(e ObsExpr)
	walk = func(e ObsExpr) {
		if found {
			return
		}
		switch n := e.(type) {
		case *ObsSimple:
			seen = map[QualKind]bool{}
		case *ObsGroup:
			walk(n.Inner)
			seen = nil
		case *ObsBinary:
			walk(n.Left)
			walk(n.Right)
		case *ObsQualified:
			walk(n.Inner)
			if seen != nil && !found {
				if seen[n.Qual.Kind] {
					dup, found = n.Qual.Kind, true
					return
				}
				seen[n.Qual.Kind] = true
			}
		}
	}
	walk(root)
	return dup, found
}

// walkComparisons calls fn for every comparison of e, left to right.
func walkComparisons(e ObsExpr, fn func(*Comparison)) {
	switch n := e.(type) {
	case *ObsSimple:
		walkCmp(n.Expr, fn)
	case *ObsGroup:
		walkComparisons(n.Inner, fn)
	case *ObsBinary:
		walkComparisons(n.Left, fn)
		walkComparisons(n.Right, fn)
	case *ObsQualified:
		walkComparisons(n.Inner, fn)
	}
}

func walkCmp(e CmpExpr, fn func(*Comparison)) {
	switch n := e.(type) {
	case *Comparison:
		fn(n)
	case *CmpGroup:
		walkCmp(n.Inner, fn)
	case *CmpBinary:
		walkCmp(n.Left, fn)
		walkCmp(n.Right, fn)
	}
}

// Comparisons calls fn for every comparison in the pattern, in source order.
func (p *Pattern) Comparisons(fn func(*Comparison)) { walkComparisons(p.Root, fn) }

// RootTypes returns the object types that can satisfy a comparison
// expression, sorted: the type of a comparison, the intersection of the
// operands of AND and the union of the operands of OR.
func RootTypes(e CmpExpr) []string {
	set := rootTypes(e)
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func rootTypes(e CmpExpr) map[string]bool {
	switch n := e.(type) {
	case *Comparison:
		return map[string]bool{n.Path.ObjectType: true}
	case *CmpGroup:
		return rootTypes(n.Inner)
	case *CmpBinary:
		l, r := rootTypes(n.Left), rootTypes(n.Right)
		out := map[string]bool{}
		for t := range l {
			if n.Op == CmpOr || r[t] {
				out[t] = true
			}
		}
		if n.Op == CmpOr {
			for t := range r {
				out[t] = true
			}
		}
		return out
	}
	return nil
}

// CheckRootTypes enforces STIX 2.1 §9.5: the comparisons joined by AND
// inside one observation expression must be satisfiable by one object type
// ("MUST use the same base Object Path"). The reference matcher never
// matches such a pattern; cti-python-stix2 rejects it.
func (p *Pattern) CheckRootTypes() error {
	var err error
	var walk func(e ObsExpr)
	walk = func(e ObsExpr) {
		switch n := e.(type) {
		case *ObsSimple:
			if err == nil {
				err = checkAndTypes(n.Expr)
			}
		case *ObsGroup:
			walk(n.Inner)
		case *ObsBinary:
			walk(n.Left)
			walk(n.Right)
		case *ObsQualified:
			walk(n.Inner)
		}
	}
	walk(p.Root)
	return err
}

func checkAndTypes(e CmpExpr) error {
	switch n := e.(type) {
	case *CmpGroup:
		return checkAndTypes(n.Inner)
	case *CmpBinary:
		if err := checkAndTypes(n.Left); err != nil {
			return err
		}
		if err := checkAndTypes(n.Right); err != nil {
			return err
		}
		if n.Op == CmpAnd && len(rootTypes(n)) == 0 {
			return fmt.Errorf("%w: %s", ErrMixedRootTypes, FormatCmp(n))
		}
	}
	return nil
}
