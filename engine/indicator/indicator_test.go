package indicator

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestDecodeSekoiaExample(t *testing.T) {
	data, err := os.ReadFile("../../testdata/sekoia/indicator-ipv4.automation-library.json")
	if err != nil {
		t.Fatal(err)
	}
	ind, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if ind.Pattern != "[ipv4-addr:value = '77.91.78.118']" || ind.ConfidenceOr(-1) != 100 || len(ind.KillChainPhases) != 2 {
		t.Errorf("unexpected fields: %+v", ind)
	}
	if len(ind.SourcesRefs) != 1 || ind.ObjectMarkingRefs[0] != "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" {
		t.Errorf("Sekoia extensions and markings: %+v", ind)
	}
	if string(ind.Raw) != string(data) {
		t.Error("Raw must keep the bytes as received")
	}
	until := time.Date(2023, 4, 29, 0, 0, 0, 0, time.UTC)
	if !ind.ValidAt(until.Add(-time.Second)) || ind.ValidAt(until) || ind.ValidAt(ind.ValidFrom.Add(-time.Nanosecond)) {
		t.Error("validity is valid_from <= t < valid_until")
	}
	if !ind.ExpiredAt(until) {
		t.Error("expired at valid_until")
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]error{
		`{"type":"malware","id":"malware--1"}`:                         ErrNotIndicator,
		`{"type":"indicator","pattern":"[a:b = 1]"}`:                   ErrMissingField,
		`{"type":"indicator","id":"indicator--1"}`:                     ErrMissingField,
		`{"type":"indicator","id":"indicator--1","revoked":true}`:      nil,
		`{"type":"indicator","id":"indicator--1","pattern":"[a:b=1]"}`: nil,
	}
	for in, want := range cases {
		_, err := Decode([]byte(in))
		if !errors.Is(err, want) {
			t.Errorf("Decode(%s) = %v, want %v", in, err, want)
		}
	}
	if _, err := Decode([]byte(`{"type":"indicator","id":"bad","pattern":"x"}`)); err == nil {
		t.Error("an id without the indicator-- prefix must be rejected")
	}
}

func TestNewerThan(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Indicator{Modified: t0}
	b := Indicator{Modified: t0.Add(time.Second)}
	r := Indicator{Modified: t0, Revoked: true}
	if !b.NewerThan(&a) || a.NewerThan(&b) || !r.NewerThan(&a) || a.NewerThan(&r) {
		t.Error("latest modified wins; on a tie the revocation wins")
	}
}
