package eval

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/indicator-matcher/matcher/engine/pattern"
)

// Errors callers branch on.
var (
	// ErrInvalidPattern wraps problems found when compiling a pattern that
	// parsed: a heterogeneous set, WITHIN 0, REPEATS 0, an invalid
	// regular expression or an impossible timestamp.
	ErrInvalidPattern = errors.New("eval: pattern cannot be evaluated")
	// ErrInvalidData wraps problems found in the observations while
	// matching: a malformed timestamp compared with a t'' literal, a
	// reference that is not a string, an address that does not parse.
	ErrInvalidData = errors.New("eval: observation data cannot be evaluated")
	// ErrWorkLimit is returned when the binding search exceeds its budget.
	ErrWorkLimit = errors.New("eval: work limit exceeded while binding observations")
)

// Matcher is a compiled pattern. It is immutable and safe for concurrent
// use.
type Matcher struct {
	pattern *pattern.Pattern
	root    obsNode
	leaves  []*leafNode
	minObs  int64
	// demand[g] is a lower bound on how many times leaves of group g are
	// bound in any binding of the whole pattern.
	demand []int64
	groups int
}

// Pattern returns the pattern the matcher was compiled from.
func (m *Matcher) Pattern() *pattern.Pattern { return m.pattern }

// MinObservations returns the least number of observation instances a
// binding needs: 1 for a pattern that one event can satisfy.
func (m *Matcher) MinObservations() int64 { return m.minObs }

// obsNode is a compiled observation expression.
type obsNode interface{ minObs() int64 }

type leafNode struct {
	idx   int
	group int // leaves with the same comparison expression share a group
	expr  cmpNode
	types []string // object types that can be roots
}

// seqNode binds all of children with disjoint instances (observation AND).
// Children with same[i] are identical to child i-1, and their bindings are
// taken in non-decreasing order.
type seqNode struct {
	children []obsNode
	same     []bool
}

type orNode struct{ children []obsNode }

type followedByNode struct {
	left, right obsNode
	rightDemand []int64 // demand of the right operand, per leaf group
}

type withinNode struct {
	child  obsNode
	d      time.Duration
	demand []int64 // demand of the child, per leaf group
}

type repeatNode struct {
	child obsNode
	n     int64
}

type startStopNode struct {
	child       obsNode
	start, stop time.Time
	demand      []int64 // demand of the child, per leaf group
}

func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func (n *leafNode) minObs() int64 { return 1 }
func (n *seqNode) minObs() int64 {
	var s int64
	for _, c := range n.children {
		s = satAdd(s, c.minObs())
	}
	return s
}
func (n *orNode) minObs() int64 {
	m := int64(math.MaxInt64)
	for _, c := range n.children {
		m = min(m, c.minObs())
	}
	return m
}
func (n *followedByNode) minObs() int64 { return satAdd(n.left.minObs(), n.right.minObs()) }
func (n *withinNode) minObs() int64     { return n.child.minObs() }
func (n *repeatNode) minObs() int64     { return satMul(n.n, n.child.minObs()) }
func (n *startStopNode) minObs() int64  { return n.child.minObs() }

// Compile prepares a parsed pattern for matching. It reports, wrapped in
// ErrInvalidPattern, what the reference matcher would reject whatever the
// observations: sets mixing types, WITHIN 0 SECONDS, REPEATS 0 TIMES,
// timestamps that name no real instant, and regular expressions Go cannot
// compile.
func Compile(p *pattern.Pattern) (*Matcher, error) {
	c := compiler{groupOf: map[string]int{}}
	_, c.single = p.Root.(*pattern.ObsSimple)
	root, err := c.obs(p.Root)
	if err != nil {
		return nil, err
	}
	groups := len(c.groupOf)
	if c.single {
		groups = 1
	}
	m := &Matcher{pattern: p, root: root, leaves: c.leaves, minObs: root.minObs(), groups: groups}
	m.demand = demand(root, m.groups)
	setScopeDemands(root, m.groups)
	return m, nil
}

type compiler struct {
	leaves  []*leafNode
	groupOf map[string]int
	single  bool // the pattern is one simple observation expression
}

// group returns the leaf group of a comparison expression: leaves with the
// same text share one. A pattern of one simple expression has one group
// and needs no text.
func (c *compiler) group(e pattern.CmpExpr) int {
	if c.single {
		return 0
	}
	text := pattern.FormatCmp(e)
	g, ok := c.groupOf[text]
	if !ok {
		g = len(c.groupOf)
		c.groupOf[text] = g
	}
	return g
}

// rootTypes is pattern.RootTypes with a fast path for one comparison.
func rootTypes(e pattern.CmpExpr) []string {
	if cmp, ok := e.(*pattern.Comparison); ok {
		return []string{cmp.Path.ObjectType}
	}
	return pattern.RootTypes(e)
}

// setScopeDemands records on every constraint scope the demand of what it
// constrains, once the number of groups is known.
func setScopeDemands(n obsNode, groups int) {
	switch n := n.(type) {
	case *seqNode:
		for _, c := range n.children {
			setScopeDemands(c, groups)
		}
	case *orNode:
		for _, c := range n.children {
			setScopeDemands(c, groups)
		}
	case *followedByNode:
		n.rightDemand = demand(n.right, groups)
		setScopeDemands(n.left, groups)
		setScopeDemands(n.right, groups)
	case *repeatNode:
		setScopeDemands(n.child, groups)
	case *withinNode:
		n.demand = demand(n.child, groups)
		setScopeDemands(n.child, groups)
	case *startStopNode:
		n.demand = demand(n.child, groups)
		setScopeDemands(n.child, groups)
	}
}

// demand returns, per leaf group, a lower bound on how many bindings of
// that group any binding of n contains.
func demand(n obsNode, groups int) []int64 {
	out := make([]int64, groups)
	switch n := n.(type) {
	case *leafNode:
		out[n.group] = 1
	case *seqNode:
		for _, c := range n.children {
			for g, d := range demand(c, groups) {
				out[g] = satAdd(out[g], d)
			}
		}
	case *followedByNode:
		for _, c := range []obsNode{n.left, n.right} {
			for g, d := range demand(c, groups) {
				out[g] = satAdd(out[g], d)
			}
		}
	case *orNode:
		for i, c := range n.children {
			for g, d := range demand(c, groups) {
				if i == 0 || d < out[g] {
					out[g] = d
				}
			}
		}
	case *repeatNode:
		for g, d := range demand(n.child, groups) {
			out[g] = satMul(d, n.n)
		}
	case *withinNode:
		return demand(n.child, groups)
	case *startStopNode:
		return demand(n.child, groups)
	}
	return out
}

func (c *compiler) obs(e pattern.ObsExpr) (obsNode, error) {
	switch n := e.(type) {
	case *pattern.ObsSimple:
		expr, err := c.cmp(n.Expr)
		if err != nil {
			return nil, err
		}
		l := &leafNode{idx: len(c.leaves), expr: expr, types: rootTypes(n.Expr)}
		l.group = c.group(n.Expr)
		c.leaves = append(c.leaves, l)
		return l, nil
	case *pattern.ObsGroup:
		return c.obs(n.Inner)
	case *pattern.ObsBinary:
		switch n.Op {
		case pattern.ObsFollowedBy:
			l, err := c.obs(n.Left)
			if err != nil {
				return nil, err
			}
			r, err := c.obs(n.Right)
			if err != nil {
				return nil, err
			}
			return &followedByNode{left: l, right: r}, nil
		case pattern.ObsOr:
			var children []obsNode
			for _, op := range flattenObs(n, pattern.ObsOr, nil) {
				ch, err := c.obs(op)
				if err != nil {
					return nil, err
				}
				children = append(children, ch)
			}
			return &orNode{children: children}, nil
		default:
			return c.and(flattenObs(n, pattern.ObsAnd, nil))
		}
	case *pattern.ObsQualified:
		child, err := c.obs(n.Inner)
		if err != nil {
			return nil, err
		}
		q := n.Qual
		switch q.Kind {
		case pattern.QualWithin:
			if q.Seconds <= 0 || math.IsNaN(q.Seconds) {
				return nil, fmt.Errorf("%w: WITHIN %s SECONDS: the duration must be positive", ErrInvalidPattern, q.Text)
			}
			d := time.Duration(math.MaxInt64)
			if q.Seconds < float64(math.MaxInt64)/1e9 {
				d = time.Duration(math.Round(q.Seconds * 1e9))
			}
			return &withinNode{child: child, d: d}, nil
		case pattern.QualRepeats:
			if q.Times < 1 {
				return nil, fmt.Errorf("%w: REPEATS %s TIMES: the count must be at least 1", ErrInvalidPattern, q.Text)
			}
			return &repeatNode{child: child, n: q.Times}, nil
		default:
			for _, ts := range []string{q.Text, q.StopText} {
				if err := checkRealTimestamp(ts); err != nil {
					return nil, err
				}
			}
			return &startStopNode{child: child, start: q.Start, stop: q.Stop}, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown observation expression %T", ErrInvalidPattern, e)
}

// and compiles an observation AND chain. Operands are reordered so that
// identical ones are adjacent; the search then takes their bindings in
// order, which visits each combination once instead of once per
// permutation. AND is commutative, so the order changes no result.
func (c *compiler) and(ops []pattern.ObsExpr) (obsNode, error) {
	type operand struct {
		text  string
		first int
		node  obsNode
	}
	operands := make([]operand, len(ops))
	firstSeen := map[string]int{}
	for i, op := range ops {
		text := pattern.FormatObs(op)
		if _, ok := firstSeen[text]; !ok {
			firstSeen[text] = i
		}
		ch, err := c.obs(op)
		if err != nil {
			return nil, err
		}
		operands[i] = operand{text: text, first: firstSeen[text], node: ch}
	}
	sort.SliceStable(operands, func(a, b int) bool { return operands[a].first < operands[b].first })
	n := &seqNode{children: make([]obsNode, len(operands)), same: make([]bool, len(operands))}
	for i, o := range operands {
		n.children[i] = o.node
		n.same[i] = i > 0 && operands[i-1].text == o.text
	}
	return n, nil
}

func flattenObs(e pattern.ObsExpr, op pattern.ObsOp, out []pattern.ObsExpr) []pattern.ObsExpr {
	if b, ok := e.(*pattern.ObsBinary); ok && b.Op == op {
		out = flattenObs(b.Left, op, out)
		return flattenObs(b.Right, op, out)
	}
	if g, ok := e.(*pattern.ObsGroup); ok {
		if b, ok := g.Inner.(*pattern.ObsBinary); ok && b.Op == op {
			return flattenObs(b, op, out)
		}
	}
	return append(out, e)
}

// cmpNode is a compiled comparison expression, evaluated per root object.
type cmpNode interface{}

type cmpAnd struct{ left, right cmpNode }
type cmpOr struct{ left, right cmpNode }

// test is one compiled comparison.
type test struct {
	src     *pattern.Comparison
	objType string
	steps   []pattern.PathStep
	op      pattern.Operator
	negated bool
	lit     literal   // the literal of a single-valued operator
	set     []literal // IN
	setTS   bool      // every member of the set is a timestamp
	like    []rune    // LIKE pattern, NFC
	likeBin bool      // LIKE pattern can be tested against bytes
	re      *regexp.Regexp
	reBin   bool // the regex may be applied to bytes as Latin-1
	cidr    netip.Prefix
	cidrErr error // a CIDR literal that does not parse, reported lazily
}

// literal is a pattern literal in the form comparisons use.
type literal struct {
	kind  pattern.LitKind
	i     int64
	big   bool
	f     float64
	s     string
	b     []byte
	t     time.Time
	text  string
	isNum bool
}

func newLiteral(l pattern.Literal) (literal, error) {
	out := literal{kind: l.Kind, i: l.Int, big: l.BigInt, f: l.Float, s: l.Str, b: l.Bytes, t: l.Time, text: l.Text}
	out.isNum = l.Kind == pattern.LitInt || l.Kind == pattern.LitFloat
	if l.Kind == pattern.LitInt && l.BigInt {
		out.f = l.Float
	}
	if l.Kind == pattern.LitTimestamp {
		if err := checkRealTimestamp(l.Text); err != nil {
			return out, err
		}
	}
	return out, nil
}

// checkRealTimestamp rejects a t” literal that the grammar allows but that
// names no instant: 30 February, or second 60. The reference matcher raises
// an error for them.
func checkRealTimestamp(text string) error {
	s := strings.TrimSuffix(strings.TrimPrefix(text, "t'"), "'")
	if _, ok := parseStrictTimestamp(s); !ok {
		return fmt.Errorf("%w: timestamp %s is not a real date and time", ErrInvalidPattern, text)
	}
	return nil
}

func (c *compiler) cmp(e pattern.CmpExpr) (cmpNode, error) {
	switch n := e.(type) {
	case *pattern.CmpGroup:
		return c.cmp(n.Inner)
	case *pattern.CmpBinary:
		l, err := c.cmp(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.cmp(n.Right)
		if err != nil {
			return nil, err
		}
		if n.Op == pattern.CmpAnd {
			return &cmpAnd{l, r}, nil
		}
		return &cmpOr{l, r}, nil
	case *pattern.Comparison:
		return compileTest(n)
	}
	return nil, fmt.Errorf("%w: unknown comparison expression %T", ErrInvalidPattern, e)
}

func compileTest(c *pattern.Comparison) (*test, error) {
	t := &test{src: c, objType: c.Path.ObjectType, steps: c.Path.Steps, op: c.Op, negated: c.Negated}
	var err error
	switch c.Op {
	case pattern.OpExists:
	case pattern.OpIn:
		if err := checkHomogeneous(c.Set); err != nil {
			return nil, err
		}
		t.setTS = len(c.Set) > 0
		for _, m := range c.Set {
			lit, err := newLiteral(m)
			if err != nil {
				return nil, err
			}
			t.set = append(t.set, lit)
			t.setTS = t.setTS && m.Kind == pattern.LitTimestamp
		}
	case pattern.OpLike:
		t.lit = literal{kind: c.Value.Kind, s: c.Value.Str, text: c.Value.Text}
		t.like = []rune(norm.NFC.String(c.Value.Str))
		t.likeBin = allLatin1(string(t.like))
	case pattern.OpMatches:
		expr := norm.NFC.String(c.Value.Str)
		t.lit = literal{kind: c.Value.Kind, s: c.Value.Str, text: c.Value.Text}
		t.re, err = compileRegex(expr)
		t.reBin = allLatin1(expr)
	case pattern.OpIsSubset, pattern.OpIsSuperset:
		t.lit, err = newLiteral(c.Value)
		t.cidr, t.cidrErr = parsePrefix(c.Value.Str)
	default:
		t.lit, err = newLiteral(c.Value)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkHomogeneous enforces that a set literal holds one type, ints and
// floats counting as one.
func checkHomogeneous(set []pattern.Literal) error {
	for i := 1; i < len(set); i++ {
		a, b := set[0], set[i]
		if a.Kind == b.Kind || a.IsNumber() && b.IsNumber() {
			continue
		}
		return fmt.Errorf("%w: the set mixes %s and %s values", ErrInvalidPattern, a.Kind, b.Kind)
	}
	return nil
}

func allLatin1(s string) bool {
	for _, r := range s {
		if r > 0xff {
			return false
		}
	}
	return true
}

// compileRegex compiles a STIX MATCHES operand with Go's RE2, after
// mapping the Python escape \Z (end of text) to RE2's \z.
func compileRegex(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(translateRegex(expr))
	if err != nil {
		return nil, fmt.Errorf("%w: MATCHES %q: %v", ErrInvalidPattern, expr, err)
	}
	return re, nil
}

func translateRegex(expr string) string {
	if !strings.Contains(expr, `\Z`) {
		return expr
	}
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		if expr[i] == '\\' && i+1 < len(expr) {
			if expr[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteByte('\\')
				b.WriteByte(expr[i+1])
			}
			i++
			continue
		}
		b.WriteByte(expr[i])
	}
	return b.String()
}

// parsePrefix parses an IPv4 or IPv6 CIDR; a bare address is a host
// prefix. IPv4-mapped IPv6 forms are unmapped.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p, nil
}
