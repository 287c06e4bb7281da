package metrics

import (
	"strings"
	"testing"
)

// FuzzCollectorFunc feeds arbitrary sample keys and label values through
// a scrape: whatever comes in, the output must be valid exposition text
// and nothing may panic.
func FuzzCollectorFunc(f *testing.F) {
	for _, s := range []string{
		"enrich_hits_total", `enrich_results_total{status="enriched"}`, `enrich_x{a="q\"\\\n",b="}"}`,
		`enrich_x{a="1",}`, `enrich_x{ a = "1" }`, `enrich_{}`, "enrich_x{", `enrich_x{a="\xff"}`, "",
	} {
		f.Add(s, "reason\xfe\n\"")
	}
	f.Fuzz(func(t *testing.T, key, labelValue string) {
		r := NewRegistry()
		v := NewCounterVec("v_total", strings.Repeat(labelValue, 2), "reason")
		v.With(labelValue).Inc()
		c := NewCollectorFunc("enrich_", labelValue, func() map[string]float64 {
			return map[string]float64{key: 1, key + "x": 2, "enrich_ok": 3}
		})
		if err := r.Register(v, c); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_ = r.WriteText(&b) // skipped samples are reported, the rest written
		p, err := checkText(b.String())
		if err != nil {
			t.Fatalf("key %q value %q: %v\n%s", key, labelValue, err, b.String())
		}
		if p.samples["enrich_ok"] != 3 {
			t.Fatalf("a bad key lost the good samples:\n%s", b.String())
		}
		// A key that parses is written under its canonical spelling and
		// parses again to the same thing.
		if name, labels, err := parseSampleKey(key); err == nil && strings.HasPrefix(name, "enrich_") {
			n2, l2, err := parseSampleKey(name + labels)
			if err != nil || n2 != name || l2 != labels {
				t.Fatalf("%q → %q%q → %q%q, %v", key, name, labels, n2, l2, err)
			}
		}
	})
}
