package extract

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/observable"
)

// FuzzExtract feeds arbitrary bytes through every profile: no panic, errors
// are typed, and every observable is canonical (its text is a fixed point of
// the canonicaliser and its key is the key of its text). Seeds are real
// events, whole and split, plus the hand-written events of each profile.
func FuzzExtract(f *testing.F) {
	lines := loadEvents(f)
	for i := 0; i < len(lines); i += len(lines) / 60 {
		f.Add(uint8(i), lines[i])
		f.Add(uint8(i+1), lines[i][:len(lines[i])/3])
		f.Add(uint8(i+2), lines[i][len(lines[i])/3:])
	}
	f.Add(uint8(0), []byte(`{"EventID":1,"Channel":"c","EventData":"{\"Image\":\"C:\\\\x.exe\",\"Hashes\":\"MD5=00,SHA1=zz\"}"}`))
	f.Add(uint8(0), []byte(`{"event_type":"http","src_ip":"1.2.3.4","http":{"hostname":"a.b","url":"/x","http_port":8080}}`))
	f.Add(uint8(0), []byte("text 1.2.3.4:80 http://a.example.com/x a@b.com d41d8cd98f00b204e9800998ecf8427e"))
	x := newTestExtractor(f)
	names := append([]string{""}, x.ProfileNames()...)
	var ev Event
	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		var p *Profile
		if n := names[int(sel)%len(names)]; n != "" {
			p = x.Profile(n)
		}
		err := x.ExtractWith(p, data, time.Unix(0, 0), &ev)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || Reason(err) == "other" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, o := range ev.Observables {
			c, err := observable.AppendCanonical(nil, o.Kind, o.Text)
			if err != nil || !bytes.Equal(c, o.Text) {
				t.Fatalf("%v %q is not canonical: %q, %v", o.Kind, o.Text, c, err)
			}
			k, err := observable.AppendKey(nil, o.Kind, o.Text)
			if err != nil || !bytes.Equal(k, o.Value) {
				t.Fatalf("%v %q: key %x, want %x (%v)", o.Kind, o.Text, o.Value, k, err)
			}
		}
		obs := ev.Observation()
		if obs.NumberObserved != 1 {
			t.Fatal("bad observation")
		}
		ev.Strings(func(string, []byte) {})
	})
}
