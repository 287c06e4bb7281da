package plan

import (
	"errors"
	"sort"
	"testing"

	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

// TestRealIndicators compiles every bundled real indicator: none may be
// unusable, and the verify-always list must stay small.
func TestRealIndicators(t *testing.T) {
	var total, verifyAlways, proven, withWarnings int
	types := map[string]int{}
	for _, f := range []string{"../../testdata/real/indicators.jsonl.gz", "../../testdata/real/benign_indicators.jsonl.gz"} {
		err := stixfile.ReadFile(f, func(obj []byte) error {
			ind, err := indicator.Decode(obj)
			if err != nil {
				return err
			}
			total++
			pl, err := Compile(ind.Pattern, ind.PatternType, Options{})
			if err != nil {
				if errors.Is(err, ErrUnusable) {
					t.Errorf("%s: %v", ind.ID, err)
					return nil
				}
				return err
			}
			if pl.VerifyAlways {
				verifyAlways++
				t.Logf("verify-always: %s", ind.Pattern)
			}
			if pl.Proven {
				proven++
			}
			if len(pl.Warnings) > 0 {
				withWarnings++
				t.Logf("warning: %s: %v", ind.Pattern, pl.Warnings)
			}
			for _, e := range pl.Entries {
				types[e.Type.String()+"/"+e.Kind.String()]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for k := range types {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-22s %6d", k, types[k])
	}
	t.Logf("%d indicators: %d proven by an index hit, %d verify-always, %d with warnings", total, proven, verifyAlways, withWarnings)
	if total != 96614 {
		t.Errorf("read %d indicators, want 96614", total)
	}
	if verifyAlways > 20 {
		t.Errorf("%d verify-always plans; the real set should index almost everything", verifyAlways)
	}
}
