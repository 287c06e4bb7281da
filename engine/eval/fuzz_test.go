package eval

import (
	"testing"

	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// FuzzMatch feeds arbitrary patterns and observation bundles to the
// evaluator: nothing may panic, and errors must be the package's own.
func FuzzMatch(f *testing.F) {
	f.Add("[file:name = 'evil.exe']", sample)
	f.Add("[network-traffic:src_ref.value ISSUBSET '198.51.100.0/24'] REPEATS 2 TIMES", sample)
	f.Add("([x-big:n > 1] AND [file:size < 5]) WITHIN 3 SECONDS", sample)
	f.Add("[a:b_hex = h'00'] FOLLOWEDBY [a:c_refs[*].d LIKE '%']", `{"type":"bundle","objects":[{"type":"observed-data","id":"o","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":3,"object_refs":["a"]},{"type":"a","id":"a","b_hex":"zz","c_refs":["a",1]}]}`)
	f.Fuzz(func(t *testing.T, src, bundle string) {
		p, err := pattern.Parse(src)
		if err != nil {
			return
		}
		m, err := Compile(p)
		if err != nil {
			return
		}
		v, err := observation.ParseJSON([]byte(bundle))
		if err != nil {
			return
		}
		obs, err := observation.FromBundles([]observation.Value{v})
		if err != nil {
			return
		}
		_, _ = m.Match(obs, Options{MaxSteps: 10000})
	})
}
