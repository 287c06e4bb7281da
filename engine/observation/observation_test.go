package observation

import (
	"errors"
	"strings"
	"testing"
)

func TestParseJSONRoundTrip(t *testing.T) {
	in := `{"b":1,"a":[true,null,1.0,-2,"x\"y\u2028",{"k":1.5e3}],"b":2,"big":123456789012345678901234}`
	v, err := ParseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(AppendJSON(nil, v))
	want := `{"b":2,"a":[true,null,1.0,-2,"x\"y\u2028",{"k":1500.0}],"big":1.2345678901234569e+23}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	o := v.Object()
	if b, _ := o.Get("b"); b.Kind() != Int || b.Int() != 2 {
		t.Errorf("repeated key keeps the last value: %v", b)
	}
	if a, _ := o.Get("a"); a.List()[2].Kind() != Float || a.List()[3].Int() != -2 {
		t.Errorf("1.0 must stay a float and -2 an int")
	}
}

func TestParseJSONErrors(t *testing.T) {
	for _, in := range []string{`{"a":}`, `[1,2`, `{"a":1} x`, ``} {
		if _, err := ParseJSON([]byte(in)); err == nil {
			t.Errorf("ParseJSON(%q) succeeded", in)
		}
	}
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, err := ParseJSON([]byte(deep)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestFromBundles(t *testing.T) {
	b1, _ := ParseJSON([]byte(`{"type":"bundle","objects":[
		{"type":"observed-data","id":"od--1","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:05.5Z","number_observed":2,"object_refs":["x--1","x--missing"]},
		{"type":"x","id":"x--1"}, {"type":"x","id":"x--2"}]}`))
	b2, _ := ParseJSON([]byte(`{"type":"bundle","objects":[{"type":"observed-data","id":"od--2","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["x--2"]}]}`))
	obs, err := FromBundles([]Value{b1, b2})
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 2 || len(obs[0].Objects) != 1 || obs[0].NumberObserved != 2 || obs[1].Objects[0].ID() != "x--2" {
		t.Fatalf("unexpected observations: %+v", obs)
	}
	if obs[0].Last.Sub(obs[0].First).Seconds() != 5.5 {
		t.Errorf("interval: %v..%v", obs[0].First, obs[0].Last)
	}
	if obs[0].Lookup("od--1") == nil || obs[0].Lookup("x--2") != nil {
		t.Errorf("Lookup sees the container and only this observation's objects")
	}
	bad, _ := ParseJSON([]byte(`{"type":"bundle","objects":[{"type":"observed-data","id":"od--3","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":0}]}`))
	if _, err := FromBundles([]Value{bad}); !errors.Is(err, ErrBadObservedData) {
		t.Errorf("number_observed 0: %v", err)
	}
}
