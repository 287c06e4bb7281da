package eval

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// This file checks the binding search against a slow, obviously correct
// version: the reference matcher's algorithm, which enumerates every
// binding of every sub-expression and filters them.

type naiveBinding []int // observation index per bound leaf, in order

func naiveUsageOK(b naiveBinding, capacity []int) bool {
	used := make([]int, len(capacity))
	for _, i := range b {
		used[i]++
		if used[i] > capacity[i] {
			return false
		}
	}
	return true
}

func naiveBindings(e pattern.ObsExpr, obs []observation.Observation, m *Matcher, leafIdx *int, cands [][]int) []naiveBinding {
	capacity := make([]int, len(obs))
	for i := range obs {
		capacity[i] = obs[i].NumberObserved
	}
	maxFirst := func(b naiveBinding) time.Time {
		var t time.Time
		for j, i := range b {
			if j == 0 || obs[i].First.After(t) {
				t = obs[i].First
			}
		}
		return t
	}
	minLast := func(b naiveBinding) time.Time {
		var t time.Time
		for j, i := range b {
			if j == 0 || obs[i].Last.Before(t) {
				t = obs[i].Last
			}
		}
		return t
	}
	join := func(a, b []naiveBinding, ok func(x, y naiveBinding) bool) []naiveBinding {
		var out []naiveBinding
		for _, x := range a {
			for _, y := range b {
				z := append(slices.Clone(x), y...)
				if naiveUsageOK(z, capacity) && (ok == nil || ok(x, y)) {
					out = append(out, z)
				}
			}
		}
		return out
	}
	switch n := e.(type) {
	case *pattern.ObsSimple:
		idx := *leafIdx
		*leafIdx++
		var out []naiveBinding
		for _, i := range cands[idx] {
			out = append(out, naiveBinding{i})
		}
		return out
	case *pattern.ObsGroup:
		return naiveBindings(n.Inner, obs, m, leafIdx, cands)
	case *pattern.ObsBinary:
		l := naiveBindings(n.Left, obs, m, leafIdx, cands)
		r := naiveBindings(n.Right, obs, m, leafIdx, cands)
		switch n.Op {
		case pattern.ObsOr:
			return append(l, r...)
		case pattern.ObsAnd:
			return join(l, r, nil)
		default:
			return join(l, r, func(x, y naiveBinding) bool { return !maxFirst(x).After(minLast(y)) })
		}
	case *pattern.ObsQualified:
		inner := naiveBindings(n.Inner, obs, m, leafIdx, cands)
		var out []naiveBinding
		switch n.Qual.Kind {
		case pattern.QualWithin:
			d := time.Duration(n.Qual.Seconds * 1e9)
			for _, b := range inner {
				if maxFirst(b).Sub(minLast(b)) <= d {
					out = append(out, b)
				}
			}
		case pattern.QualStartStop:
			for _, b := range inner {
				ok := n.Qual.Start.Before(n.Qual.Stop)
				for _, i := range b {
					ok = ok && obs[i].First.Before(n.Qual.Stop) && !obs[i].Last.Before(n.Qual.Start)
				}
				if ok {
					out = append(out, b)
				}
			}
		case pattern.QualRepeats:
			out = inner
			for r := int64(1); r < n.Qual.Times; r++ {
				out = join(out, inner, nil)
				if len(out) > 200000 {
					panic("naive enumeration too large; shrink the generator")
				}
			}
		}
		return out
	}
	panic(fmt.Sprintf("unexpected %T", e))
}

// randomObsExpr builds a random observation expression over leaves that
// test the "v" property of "t" objects.
func randomObsExpr(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(3) == 0 {
		ops := []string{"=", "<", ">", "!="}
		return fmt.Sprintf("[t:v %s %d]", ops[r.IntN(len(ops))], r.IntN(4))
	}
	a, b := randomObsExpr(r, depth-1), randomObsExpr(r, depth-1)
	switch r.IntN(7) {
	case 0:
		return "(" + a + " AND " + b + ")"
	case 1:
		return "(" + a + " OR " + b + ")"
	case 2:
		return "(" + a + " FOLLOWEDBY " + b + ")"
	case 3:
		return "(" + a + ") WITHIN " + fmt.Sprint(r.IntN(5)+1) + " SECONDS"
	case 4:
		return "(" + a + ") REPEATS " + fmt.Sprint(r.IntN(3)+1) + " TIMES"
	case 5:
		return "(" + a + ") START t'2020-01-01T00:00:0" + fmt.Sprint(r.IntN(4)) + "Z' STOP t'2020-01-01T00:00:0" + fmt.Sprint(r.IntN(5)+3) + "Z'"
	}
	return a + " AND " + a // identical operands exercise the symmetry cut
}

func randomObservations(r *rand.Rand) []observation.Observation {
	n := r.IntN(5) + 1
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	obs := make([]observation.Observation, n)
	for i := range obs {
		o := observation.NewObject(3)
		o.SetString("type", "t")
		o.SetString("id", fmt.Sprintf("t--%d", i))
		o.Set("v", observation.IntValue(int64(r.IntN(4))))
		first := base.Add(time.Duration(r.IntN(8)) * time.Second)
		obs[i] = observation.Observation{
			ID:             fmt.Sprintf("observed-data--%d", i),
			First:          first,
			Last:           first.Add(time.Duration(r.IntN(3)) * time.Second),
			NumberObserved: r.IntN(2) + 1,
			Objects:        []*observation.Object{o},
		}
	}
	return obs
}

func TestSearchMatchesNaiveEnumeration(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for iter := 0; iter < 3000; iter++ {
		src := randomObsExpr(r, 3)
		p, err := pattern.Parse(src)
		if err != nil {
			t.Fatalf("generated pattern %q does not parse: %v", src, err)
		}
		m, err := Compile(p)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		obs := randomObservations(r)
		cands, err := m.candidates(obs)
		if err != nil {
			t.Fatal(err)
		}
		leaf := 0
		want := len(naiveBindings(p.Root, obs, m, &leaf, cands)) > 0
		got, err := m.Match(obs, Options{})
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got.Matched != want {
			var desc []string
			for _, o := range obs {
				v, _ := o.Objects[0].Get("v")
				desc = append(desc, fmt.Sprintf("{v=%d n=%d %s..%s}", v.Int(), o.NumberObserved, o.First.Format("05"), o.Last.Format("05")))
			}
			t.Fatalf("%s on %s: search says %v, enumeration says %v", src, strings.Join(desc, " "), got.Matched, want)
		}
		if got.Matched {
			checked++
		}
	}
	if checked < 300 {
		t.Fatalf("only %d matching cases; the generator is too weak", checked)
	}
}
