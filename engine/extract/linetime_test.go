package extract

import (
	"testing"
	"time"
)

func TestLineTime(t *testing.T) {
	arrival := time.Date(2024, 3, 11, 12, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	for _, c := range []struct {
		line string
		zone *time.Location
		want time.Time // zero: no time
	}{
		// RFC 5424.
		{`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - BOM'su root' failed`, nil, time.Date(2003, 10, 11, 22, 14, 15, 3e6, time.UTC)},
		{`<34>1 2024-03-11T10:24:05+01:00 host app 12 - - x`, nil, time.Date(2024, 3, 11, 9, 24, 5, 0, time.UTC)},
		{`<34>1 - host app - - - no time`, nil, time.Time{}},
		// RFC 3164 and /var/log files; the year comes from the arrival.
		{`<13>Mar 11 10:24:05 host sshd[1]: Failed password`, nil, time.Date(2024, 3, 11, 10, 24, 5, 0, time.UTC)},
		{`Mar  1 09:00:00 host kernel: x`, nil, time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)},
		{`Dec 31 23:59:59 host cron[2]: x`, nil, time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC)}, // last year's line
		{`Mar 11 10:24:05 host sshd[1]: x`, paris, time.Date(2024, 3, 11, 9, 24, 5, 0, time.UTC)},
		// ISO 8601 first fields.
		{`2024-03-11 10:24:05,123 INFO app started`, nil, time.Date(2024, 3, 11, 10, 24, 5, 123e6, time.UTC)},
		{`2024-03-11 10:24:05 WARN x`, paris, time.Date(2024, 3, 11, 9, 24, 5, 0, time.UTC)},
		{`2024-03-11T10:24:05Z GET /x`, nil, time.Date(2024, 3, 11, 10, 24, 5, 0, time.UTC)},
		{`[2024-03-11T10:24:05.5+02:00] error x`, nil, time.Date(2024, 3, 11, 8, 24, 5, 5e8, time.UTC)},
		// No time at the start.
		{`GET /index.html HTTP/1.1`, nil, time.Time{}},
		{`1710153100.123 812 10.1.2.3 TCP_MISS/200`, nil, time.Time{}},
		{`Mar 11 host`, nil, time.Time{}},
		{`Foo 11 10:24:05 host`, nil, time.Time{}},
		{`Mar 32 10:24:05 host`, nil, time.Time{}},
		{`<999999>1 2024-03-11T10:24:05Z x`, nil, time.Time{}},
		{`<`, nil, time.Time{}},
		{``, nil, time.Time{}},
	} {
		got, ok := lineTime([]byte(c.line), arrival, c.zone)
		if ok != !c.want.IsZero() || ok && (!got.Equal(c.want) || got.Location() != time.UTC) {
			t.Errorf("lineTime(%q) = %v, %v; want %v", c.line, got, ok, c.want)
		}
	}
}

func TestTextEventTime(t *testing.T) {
	x, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	arrival := time.Date(2024, 3, 11, 12, 0, 0, 0, time.UTC)
	var ev Event
	line := []byte("Mar 11 10:31:02 bastion sshd[2211]: Failed password for invalid user admin from 203.0.113.45 port 52211 ssh2\n")
	if err := x.Extract(line, arrival, &ev); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 3, 11, 10, 31, 2, 0, time.UTC); ev.TimeSource != TimeEvent || !ev.Time.Equal(want) {
		t.Fatalf("time %v (%v), want %v from the line", ev.Time, ev.TimeSource, want)
	}
	if n := testing.AllocsPerRun(100, func() { _ = x.Extract(line, arrival, &ev) }); n != 0 {
		t.Errorf("%.1f allocations per text line", n)
	}
}

func FuzzLineTime(f *testing.F) {
	for _, s := range []string{"<165>1 2003-10-11T22:14:15.003Z x", "Mar  1 09:00:00 h", "2024-03-11 10:24:05,1 x", "[2024-03-11T10:24:05Z]", "<1>", "<34>1 - x"} {
		f.Add([]byte(s))
	}
	arrival := time.Date(2024, 3, 11, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line []byte) {
		got, ok := lineTime(line, arrival, nil)
		if ok && got.Location() != time.UTC {
			t.Fatalf("%q: time %v not in UTC", line, got)
		}
	})
}
