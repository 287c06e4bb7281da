package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/indicator"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func openTest(t testing.TB, now time.Time) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "ind.db"), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ind builds an indicator's JSON.
func ind(id string, modified time.Time, pattern string, extra string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"2024-01-01T00:00:00Z","modified":%q,"pattern":%q,"pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"%s}`,
		id, modified.Format(time.RFC3339Nano), pattern, extra))
}

func active(t testing.TB, s *Store, now time.Time) []string {
	var ids []string
	if err := s.ForEachActive(now, func(r Record) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestApplyLatestModifiedWins(t *testing.T) {
	s := openTest(t, t0)
	a1 := ind("a", t0.Add(-3*time.Hour), "[ipv4-addr:value = '1.1.1.1']", "")
	a2 := ind("a", t0.Add(-2*time.Hour), "[ipv4-addr:value = '2.2.2.2']", "")
	ch, err := s.Apply("rest", "feed", []json.RawMessage{a2, a1, json.RawMessage(`{"type":"malware","id":"malware--x"}`), json.RawMessage(`{"type":"indicator","id":"indicator--bad"}`)}, Cursor{Value: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Stored != 1 || ch.Stale != 1 || ch.Skipped != 1 || ch.Invalid != 1 || len(ch.Errors) != 1 || len(ch.Upserted) != 1 || ch.Upserted[0].Pattern != "[ipv4-addr:value = '2.2.2.2']" {
		t.Fatalf("%+v", ch)
	}
	got, err := s.Get("indicator--a")
	if err != nil || got.Pattern != "[ipv4-addr:value = '2.2.2.2']" || string(got.Raw) != string(a2) {
		t.Fatalf("%v %+v", err, got)
	}
	// The same version again changes nothing.
	ch, _ = s.Apply("rest", "feed", []json.RawMessage{a2}, Cursor{Value: "c2"})
	if ch.Stale != 1 || !ch.Empty() {
		t.Fatalf("%+v", ch)
	}
	c, err := s.Cursor("rest", "feed")
	if err != nil || c.Value != "c2" || c.CaughtUp {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestApplyRevokeAndTombstone(t *testing.T) {
	s := openTest(t, t0)
	v1 := ind("r", t0.Add(-3*time.Hour), "[domain-name:value = 'x.test']", "")
	rev := ind("r", t0.Add(-2*time.Hour), "[domain-name:value = 'x.test']", `,"revoked":true`)
	if _, err := s.Apply("rest", "f", []json.RawMessage{v1}, Cursor{}); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Apply("rest", "f", []json.RawMessage{rev}, Cursor{})
	if err != nil || len(ch.Removed) != 1 || ch.Removed[0] != "indicator--r" || ch.Revoked != 1 {
		t.Fatalf("%v %+v", err, ch)
	}
	if _, err := s.Get("indicator--r"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked still stored: %v", err)
	}
	// An older copy cannot come back.
	ch, _ = s.Apply("rest", "f", []json.RawMessage{v1}, Cursor{})
	if ch.Stale != 1 || !ch.Empty() {
		t.Fatalf("old copy after revocation: %+v", ch)
	}
	// A revocation of an unknown id leaves only a tombstone.
	ch, _ = s.Apply("rest", "f", []json.RawMessage{ind("u", t0, "[x:y = 'z']", `,"revoked":true`)}, Cursor{})
	if ch.Revoked != 1 || !ch.Empty() {
		t.Fatalf("%+v", ch)
	}
	// A newer, un-revoked version does come back.
	v3 := ind("r", t0.Add(-time.Hour), "[domain-name:value = 'x.test']", "")
	ch, _ = s.Apply("rest", "f", []json.RawMessage{v3}, Cursor{})
	if len(ch.Upserted) != 1 {
		t.Fatalf("%+v", ch)
	}
	n, _ := s.Counts()
	if n.Indicators != 1 || n.Tombstones != 1 || n.Cursors != 1 {
		t.Fatalf("%+v", n)
	}
}

func TestExpiredKeptButNotActive(t *testing.T) {
	s := openTest(t, t0)
	live := ind("live", t0.Add(-time.Hour), "[a:b = 'c']", fmt.Sprintf(`,"valid_until":%q`, t0.Add(time.Hour).Format(time.RFC3339)))
	dead := ind("dead", t0.Add(-time.Hour), "[a:b = 'd']", fmt.Sprintf(`,"valid_until":%q`, t0.Add(-time.Minute).Format(time.RFC3339)))
	ch, err := s.Apply("rest", "f", []json.RawMessage{live, dead}, Cursor{})
	if err != nil || len(ch.Upserted) != 1 || ch.Upserted[0].ID != "indicator--live" || len(ch.Removed) != 0 || ch.Stored != 2 {
		t.Fatalf("%v %+v", err, ch)
	}
	if got := active(t, s, t0); len(got) != 1 || got[0] != "indicator--live" {
		t.Fatalf("active %v", got)
	}
	if got := active(t, s, t0.Add(2*time.Hour)); len(got) != 0 {
		t.Fatalf("active later %v", got)
	}
	if _, err := s.Get("indicator--dead"); err != nil {
		t.Fatalf("expired indicator not stored: %v", err)
	}
	// An update that expires a live indicator removes it from matching.
	live2 := ind("live", t0, "[a:b = 'c']", fmt.Sprintf(`,"valid_until":%q`, t0.Add(-time.Second).Format(time.RFC3339)))
	ch, _ = s.Apply("rest", "f", []json.RawMessage{live2}, Cursor{})
	if len(ch.Removed) != 1 || len(ch.Upserted) != 0 {
		t.Fatalf("%+v", ch)
	}
}

func TestReopenAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply("taxii", "col", []json.RawMessage{ind("a", t0, "[a:b = 'c']", "")}, Cursor{Value: "next:x", CaughtUp: true}); err != nil {
		t.Fatal(err)
	}
	// A second open of the same file waits for the lock, then fails.
	if _, err := Open(path, Options{LockTimeout: 50 * time.Millisecond}); err == nil {
		t.Fatal("second open succeeded")
	}
	s.Close()
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := s.Cursor("taxii", "col")
	if c.Value != "next:x" || !c.CaughtUp {
		t.Fatalf("%+v", c)
	}
	cs, _ := s.Cursors()
	if len(cs) != 1 || cs["taxii/col"].Value != "next:x" {
		t.Fatalf("%v", cs)
	}
	if _, err := s.Cursor("", "x"); err == nil {
		t.Fatal("empty source accepted")
	}
}

// TestScanMatchesSlowPath compares the compact scan with decoding every
// raw JSON on random data, including real-looking timestamps.
func TestScanMatchesSlowPath(t *testing.T) {
	s := openTest(t, t0)
	rng := rand.New(rand.NewPCG(1, 2))
	var page []json.RawMessage
	for i := 0; i < 3000; i++ {
		extra := ""
		switch rng.IntN(4) {
		case 0:
			extra = fmt.Sprintf(`,"valid_until":%q`, t0.Add(time.Duration(rng.IntN(200)-100)*time.Hour).Format("2006-01-02T15:04:05.000000Z"))
		case 1:
			extra = `,"revoked":true`
		case 2:
			extra = `,"valid_until":"9999-12-31T23:59:59Z"`
		}
		mod := t0.Add(-time.Duration(rng.IntN(1e6)) * time.Second).Add(time.Duration(rng.IntN(1e6)) * time.Microsecond)
		page = append(page, ind(fmt.Sprintf("%04d", rng.IntN(2000)), mod, fmt.Sprintf("[ipv4-addr:value = '10.0.%d.%d']", i/256, i%256), extra))
		if len(page) == 250 {
			if _, err := s.Apply("rest", "f", page, Cursor{}); err != nil {
				t.Fatal(err)
			}
			page = page[:0]
		}
	}
	for _, now := range []time.Time{t0, t0.Add(-50 * time.Hour), t0.Add(50 * time.Hour)} {
		want := map[string]Record{}
		s.ForEachRaw(func(id string, raw []byte) error {
			in, err := indicator.Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if in.ValidAt(now) || (!in.Revoked && !in.ExpiredAt(now)) {
				want[id] = RecordOf(&in)
			}
			return nil
		})
		got := map[string]Record{}
		var order []string
		s.ForEachActive(now, func(r Record) error { got[r.ID] = r; order = append(order, r.ID); return nil })
		if !sort.StringsAreSorted(order) {
			t.Fatal("scan not in id order")
		}
		if len(got) != len(want) {
			t.Fatalf("%v: %d active, want %d", now, len(got), len(want))
		}
		for id, w := range want {
			g := got[id]
			if g.Pattern != w.Pattern || g.PatternType != w.PatternType || !g.Modified.Equal(w.Modified) || !g.ValidFrom.Equal(w.ValidFrom) || !g.ValidUntil.Equal(w.ValidUntil) || g.Revoked {
				t.Fatalf("%s: %+v, want %+v", id, g, w)
			}
		}
	}
}

func TestDigest(t *testing.T) {
	a, b := openTest(t, t0), openTest(t, t0)
	x := ind("x", t0.Add(-time.Hour), "[a:b = 'c']", "")
	y := ind("y", t0.Add(-time.Hour), "[a:b = 'd']", fmt.Sprintf(`,"valid_until":%q`, t0.Format(time.RFC3339)))
	a.Apply("rest", "f", []json.RawMessage{x, y}, Cursor{Value: "1"})
	b.Apply("taxii", "g", []json.RawMessage{y}, Cursor{Value: "2"})
	b.Apply("taxii", "g", []json.RawMessage{x}, Cursor{Value: "3"})
	da, _ := a.Digest(t0)
	db, _ := b.Digest(t0)
	if da != db {
		t.Fatal("same contents, different digests")
	}
	b.Apply("taxii", "g", []json.RawMessage{ind("x", t0, "[a:b = 'c']", "")}, Cursor{})
	if db2, _ := b.Digest(t0); db2 == da {
		t.Fatal("different contents, same digest")
	}
}

func TestRecordRoundTrip(t *testing.T) {
	r := Record{ID: "indicator--1", Pattern: "[a:b = 'c']", PatternType: "stix", Modified: t0.Add(123456789), ValidFrom: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), ValidUntil: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
	got, err := DecodeRecord([]byte(r.ID), EncodeRecord(&r))
	if err != nil || got.Pattern != r.Pattern || !got.Modified.Equal(r.Modified) || !got.ValidFrom.Equal(r.ValidFrom) || !got.ValidUntil.Equal(r.ValidUntil) {
		t.Fatalf("%+v %v", got, err)
	}
	enc := EncodeRecord(&r)
	if allocs := testing.AllocsPerRun(100, func() { h, _ := decodeHead(enc); _ = h.activeAt(t0) }); allocs != 0 {
		t.Fatalf("decodeHead allocates %v", allocs)
	}
	id := []byte("indicator--1")
	if allocs := testing.AllocsPerRun(100, func() { DecodeRecord(id, enc) }); allocs != 1 {
		t.Fatalf("DecodeRecord allocates %v", allocs)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(EncodeRecord(&Record{Pattern: "[ipv4-addr:value = '1.2.3.4']", PatternType: "stix", Modified: t0}))
	f.Add(EncodeRecord(&Record{Pattern: "rule x {}", PatternType: "yara", Modified: t0, ValidFrom: t0, ValidUntil: t0.Add(time.Hour), Revoked: true}))
	f.Add([]byte{1, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRecord([]byte("indicator--f"), b)
		if err != nil {
			return
		}
		again, err := DecodeRecord([]byte("indicator--f"), EncodeRecord(&r))
		if err != nil || again.Pattern != r.Pattern || again.PatternType != r.PatternType || !again.Modified.Equal(r.Modified) || again.Revoked != r.Revoked {
			t.Fatalf("round trip: %+v -> %+v %v", r, again, err)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(Cursor{Value: "MjAyMy0wNC0xOVQwOTowMzo0Ni4wNjM0MTha", CaughtUp: true, Updated: t0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCursor(b)
		if err != nil {
			return
		}
		if c2, err := decodeCursor(encodeCursor(c)); err != nil || c2 != c {
			t.Fatalf("%+v -> %+v %v", c, c2, err)
		}
	})
}
