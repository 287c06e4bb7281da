package intelserver

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestChurnStep(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	before := len(s.Indicators())
	m, r, a, err := s.ChurnStep(rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	ind := s.Indicators()
	if len(ind) != before || ind[r] != nil || ind[a] == nil || ind[m] == nil {
		t.Fatalf("after churn: %d indicators (was %d)", len(ind), before)
	}
	var o struct{ Confidence json.Number }
	json.Unmarshal(ind[m], &o)
	if o.Confidence == "" || !strings.Contains(string(ind[a]), "churn.example") {
		t.Fatalf("modified %s / added %s", ind[m], ind[a])
	}
	// The three changes are the last three indicators of the feed.
	ids := s.IndicatorIDs()
	last := map[string]bool{ids[len(ids)-1]: true, ids[len(ids)-2]: true, ids[len(ids)-3]: true}
	if !last[m] || !last[r] || !last[a] {
		t.Fatal("churned objects are not at the end of the feed")
	}
}
