package pattern

import (
	"encoding/json"
	"sort"
	"strings"
)

// Inspection summarises a pattern the way the reference validator's
// inspector does: the comparisons grouped by object type, and the sets of
// observation operators and qualifiers used.
type Inspection struct {
	// Comparisons maps an object type to its comparisons, in source order.
	Comparisons map[string][]InspectedComparison `json:"comparisons"`
	// ObservationOps are the observation operators used, sorted.
	ObservationOps []string `json:"observation_ops"`
	// Qualifiers are the qualifiers used, as written, sorted.
	Qualifiers []string `json:"qualifiers"`
}

// InspectedComparison is one comparison in an Inspection.
type InspectedComparison struct {
	// Path is the property path after the object type: a string per key,
	// an int per list index, and "*" for [*].
	Path []any
	// Op is the operator as written, prefixed with "NOT " when negated.
	Op string
	// Value is the literal as written; for IN, the set written without
	// spaces.
	Value string
}

// MarshalJSON encodes the comparison as [path, op, value].
func (c InspectedComparison) MarshalJSON() ([]byte, error) {
	path := c.Path
	if path == nil {
		path = []any{}
	}
	return json.Marshal([]any{path, c.Op, c.Value})
}

// Inspect summarises the pattern.
func (p *Pattern) Inspect() Inspection {
	in := Inspection{Comparisons: map[string][]InspectedComparison{}}
	ops := map[string]bool{}
	quals := map[string]bool{}
	var walk func(e ObsExpr)
	walk = func(e ObsExpr) {
		switch n := e.(type) {
		case *ObsSimple:
			walkCmp(n.Expr, func(c *Comparison) {
				in.Comparisons[c.Path.ObjectType] = append(in.Comparisons[c.Path.ObjectType], inspectComparison(c))
			})
		case *ObsGroup:
			walk(n.Inner)
		case *ObsBinary:
			ops[n.Op.String()] = true
			walk(n.Left)
			walk(n.Right)
		case *ObsQualified:
			var b strings.Builder
			writeQualifier(&b, n.Qual)
			quals[strings.TrimSpace(b.String())] = true
			walk(n.Inner)
		}
	}
	walk(p.Root)
	in.ObservationOps = sortedKeys(ops)
	in.Qualifiers = sortedKeys(quals)
	return in
}

func inspectComparison(c *Comparison) InspectedComparison {
	ic := InspectedComparison{Op: c.OpText}
	if c.Negated {
		ic.Op = "NOT " + c.OpText
	}
	for _, s := range c.Path.Steps {
		switch s.Kind {
		case StepKey:
			ic.Path = append(ic.Path, s.Key)
		case StepIndex:
			ic.Path = append(ic.Path, s.Index)
		case StepAny:
			ic.Path = append(ic.Path, "*")
		}
	}
	switch c.Op {
	case OpIn:
		texts := make([]string, len(c.Set))
		for i, l := range c.Set {
			texts[i] = l.Text
		}
		ic.Value = "(" + strings.Join(texts, ",") + ")"
	case OpExists:
	default:
		ic.Value = c.Value.Text
	}
	return ic
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
