package indicator

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"
)

// realObjects reads the bundled real indicators, one JSON object a line.
func realObjects(t *testing.T) [][]byte {
	t.Helper()
	f, err := os.Open("../../testdata/real/indicators.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func obj(id, modified, extra string) []byte {
	return fmt.Appendf(nil, `{"type":"indicator","id":%q,"modified":%q,"pattern":"[ipv4-addr:value = '10.0.0.1']"%s}`, id, modified, extra)
}

// TestSetAgainstMap checks the Set against the obvious version: a map of
// fully decoded indicators where the newer one of an id wins.
func TestSetAgainstMap(t *testing.T) {
	objs := realObjects(t)
	r := rand.New(rand.NewPCG(1, 2))
	// Duplicates: the same ids again, older, newer, equal and revoked.
	for i := 0; i < 2000; i++ {
		ind, err := Decode(objs[r.IntN(len(objs))])
		if err != nil {
			t.Fatal(err)
		}
		m := ind.Modified.Add(time.Duration(r.IntN(3)-1) * time.Hour).Format(time.RFC3339Nano)
		extra := ""
		if r.IntN(4) == 0 {
			extra = `,"revoked":true`
		}
		objs = append(objs, obj(ind.ID, m, extra))
	}
	objs = append(objs, obj("indicator--far", "2020-01-01T00:00:00Z", `,"valid_from":"1601-01-01T00:00:00Z","valid_until":"9999-12-31T23:59:59.999Z","indicator_types":["benign"]`))
	objs = append(objs, []byte(`{"type":"malware","id":"malware--1"}`), []byte(`{"type":"indicator"`))

	var b SetBuilder
	want := map[string]Indicator{}
	var order []string
	for _, o := range objs {
		ind, derr := Decode(o)
		berr := b.Add(o)
		if (derr == nil) != (berr == nil) || errors.Is(derr, ErrNotIndicator) != errors.Is(berr, ErrNotIndicator) {
			t.Fatalf("Add(%s) = %v, Decode gave %v", o, berr, derr)
		}
		if derr != nil {
			continue
		}
		prev, ok := want[ind.ID]
		if !ok {
			order = append(order, ind.ID)
		}
		if !ok || ind.NewerThan(&prev) {
			want[ind.ID] = ind
		}
	}
	s := b.Set()
	if s.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(want))
	}
	seen := 0
	err := s.ForEach(func(h Head) error {
		w, ok := want[h.ID]
		if !ok {
			return fmt.Errorf("ForEach gave unknown id %s", h.ID)
		}
		if wh := w.Head(); !headEqual(h, wh) {
			return fmt.Errorf("head of %s:\n got %+v\nwant %+v", h.ID, h, wh)
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Fatalf("ForEach gave %d heads, want %d", seen, len(want))
	}
	for _, id := range order {
		got, ok, err := s.Get(id)
		if err != nil || !ok {
			t.Fatalf("Get(%s) = %v, %v", id, ok, err)
		}
		if !reflect.DeepEqual(got, want[id]) {
			t.Fatalf("Get(%s) differs from the newest decoded object", id)
		}
	}
	if _, ok, _ := s.Get("indicator--missing"); ok {
		t.Error("Get found an id that was never added")
	}
}

func headEqual(a, b Head) bool {
	return a.ID == b.ID && a.Pattern == b.Pattern && a.PatternType == b.PatternType && a.ValidFrom.Equal(b.ValidFrom) &&
		a.ValidUntil.Equal(b.ValidUntil) && a.Modified.Equal(b.Modified) && a.Revoked == b.Revoked && a.Benign == b.Benign
}

func TestSetZeroValue(t *testing.T) {
	var s Set
	if _, ok, err := s.Get("indicator--x"); ok || err != nil {
		t.Errorf("zero Set: Get = %v, %v", ok, err)
	}
	if s.Len() != 0 || s.ForEach(func(Head) error { return errors.New("called") }) != nil {
		t.Error("zero Set is not empty")
	}
	var b SetBuilder
	if b.Set().Len() != 0 {
		t.Error("empty builder gave indicators")
	}
}

// TestSetDoesNotKeepInput checks that Add copies the object.
func TestSetDoesNotKeepInput(t *testing.T) {
	var b SetBuilder
	o := obj("indicator--a", "2020-01-01T00:00:00Z", "")
	if err := b.Add(o); err != nil {
		t.Fatal(err)
	}
	for i := range o {
		o[i] = ' '
	}
	got, ok, err := b.Set().Get("indicator--a")
	if !ok || err != nil || got.Pattern != "[ipv4-addr:value = '10.0.0.1']" {
		t.Fatalf("Get after the input was overwritten: %v %v %+v", ok, err, got)
	}
}

// FuzzSet adds untrusted objects and checks that whatever Add accepts can
// be read back, with the head DecodeHead gives.
func FuzzSet(f *testing.F) {
	f.Add([]byte(obj("indicator--a", "2020-01-01T00:00:00Z", "")), []byte(obj("indicator--a", "2021-01-01T00:00:00Z", `,"revoked":true`)))
	f.Add([]byte(`{"type":"indicator","id":"indicator--b","pattern":"x","pattern_type":"`+string(make([]byte, 300))+`"}`), []byte(`{}`))
	f.Add([]byte(`{"type":"indicator","id":"indicator--c","revoked":true,"valid_until":"9999-12-31T23:59:59Z"}`), []byte(`[`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var sb SetBuilder
		want := map[string]Head{}
		for _, o := range [][]byte{a, b} {
			if sb.Add(o) != nil {
				continue
			}
			h, err := DecodeHead(o)
			if err != nil {
				t.Fatalf("Add accepted what DecodeHead rejects: %v", err)
			}
			if prev, ok := want[h.ID]; !ok || h.newerThan(&prev) {
				want[h.ID] = h
			}
		}
		s := sb.Set()
		if s.Len() != len(want) {
			t.Fatalf("Len %d, want %d", s.Len(), len(want))
		}
		for id, w := range want {
			ind, ok, err := s.Get(id)
			if !ok || err != nil {
				t.Fatalf("Get(%q) = %v, %v", id, ok, err)
			}
			if !headEqual(ind.Head(), w) {
				t.Fatalf("Get(%q) head %+v, want %+v", id, ind.Head(), w)
			}
		}
	})
}
