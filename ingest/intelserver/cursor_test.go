package intelserver

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	p := pos{time.Date(2023, 4, 19, 9, 3, 46, 63418000, time.UTC), "indicator--f24eb993-4ece-47ff-90e1-fa3f87de85dc"}
	q, err := decodeCursor(encodeCursor(p))
	if err != nil || !q.t.Equal(p.t) || q.id != p.id {
		t.Fatalf("%v %v", q, err)
	}
	// The illustrative cursor of the research notes, and OpenCTI's forms.
	for _, s := range []string{
		"MjAyMy0wNC0xOVQwOTowMzo0Ni4wNjM0MTha",
		base64.StdEncoding.EncodeToString([]byte("2022-01-01T00:00:00Z")),
		base64.StdEncoding.EncodeToString([]byte("2022-01-01T00:00:00+00:00Z")),
		base64.StdEncoding.EncodeToString([]byte("2022-01-01T00:00:00.123456+00:00")),
		base64.RawURLEncoding.EncodeToString([]byte("2022-01-01T00:00:00")),
	} {
		if _, err := decodeCursor(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "%%", base64.StdEncoding.EncodeToString([]byte("yesterday")), base64.StdEncoding.EncodeToString([]byte("2022-01-01T00:00:00Z|nodashes"))} {
		if _, err := decodeCursor(s); err == nil {
			t.Errorf("%q decoded", s)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add("MjAyMy0wNC0xOVQwOTowMzo0Ni4wNjM0MTha")
	f.Add(encodeCursor(pos{time.Unix(1700000000, 5).UTC(), "indicator--x"}))
	f.Add(base64.StdEncoding.EncodeToString([]byte("2022-01-01T00:00:00+00:00Z")))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodeCursor(s)
		if err != nil {
			return
		}
		// A decoded cursor re-encodes to one that decodes to the same place.
		q, err := decodeCursor(encodeCursor(p))
		if err != nil || !q.t.Equal(p.t) || q.id != p.id {
			t.Fatalf("%q: %v -> %v %v", s, p, q, err)
		}
	})
}
