package extract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract/jsonscan"
	"github.com/indicator-matcher/matcher/engine/observable"
)

func TestDetection(t *testing.T) {
	x := newTestExtractor(t)
	tests := []struct{ in, want string }{
		{`{"_path":"dns","ts":"2018-03-24T17:15:20Z","query":"a.example"}`, "zeek"},
		{`{"@stream":"conn","ts":1588205198.9,"id_orig_h":"10.0.0.1"}`, "zeek"},
		{`{"ts":1.5,"uid":"C1","id.orig_h":"10.0.0.1"}`, "zeek"},
		{`{"ts":1.5,"uid":"C1","id":{"orig_h":"10.0.0.1"}}`, "zeek"},
		{`{"timestamp":"2024-03-11T09:14:27.433142+0000","event_type":"dns","src_ip":"10.0.0.1"}`, "suricata"},
		{`{"@timestamp":"2024-03-11T09:14:27Z","ecs":{"version":"8.11.0"},"source":{"ip":"10.0.0.1"}}`, "ecs"},
		{`{"@timestamp":"2024-03-11T09:14:27Z","source.ip":"10.0.0.1"}`, "ecs"},
		{`{"@timestamp":"2024-03-11T09:14:27Z","winlog":{"event_id":4624},"ecs":{"version":"8"}}`, "windows"},
		{`{"EventID":4624,"Channel":"Security","IpAddress":"10.0.0.1"}`, "windows"},
		{`{"class_uid":4001,"category_uid":4,"time":1710152230123}`, "ocsf"},
		{`{"level":"info","msg":"hello 10.0.0.1"}`, "generic"},
		{`  {"weird": [1, 2]}`, "generic"},
		{`<13>Mar 11 10:31:02 host app: hello`, "text"},
		{`[2024-03-11] {"not":"json"`, "text"},
	}
	var ev Event
	for _, tt := range tests {
		if err := x.Extract([]byte(tt.in), time.Now(), &ev); err != nil {
			t.Errorf("Extract(%s): %v", tt.in, err)
			continue
		}
		if ev.Profile != tt.want {
			t.Errorf("Extract(%s): profile %q, want %q", tt.in, ev.Profile, tt.want)
		}
	}
}

func TestErrors(t *testing.T) {
	x, err := New(Config{MaxEventBytes: 200, MaxDepth: 4})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"  \n", ErrEmpty},
		{`{"a":` + strings.Repeat("1", 300) + `}`, ErrTooLarge},
		{`{"a":`, ErrInvalidJSON},
		{`{"a":1}}`, ErrInvalidJSON},
		{`{"a":[[[[1]]]]}`, ErrTooDeep},
		{"{\"a\":\"\xff\"}", ErrInvalidUTF8},
		{"plain text \xff", ErrInvalidUTF8},
	}
	var ev Event
	for _, tt := range tests {
		err := x.Extract([]byte(tt.in), time.Now(), &ev)
		if !errors.Is(err, tt.want) {
			t.Errorf("Extract(%q) = %v, want %v", tt.in, err, tt.want)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || Reason(err) == "other" {
			t.Errorf("Extract(%q): error %v is not a counted *Error", tt.in, err)
		}
		if len(ev.Observables) != 0 {
			t.Errorf("Extract(%q): observables left after error", tt.in)
		}
	}
	// A fixed JSON profile rejects text.
	if err := x.ExtractWith(x.Profile("zeek"), []byte("not json"), time.Now(), &ev); !errors.Is(err, ErrNotObject) {
		t.Errorf("zeek profile on text: %v, want ErrNotObject", err)
	}
	// The default limit is 1 MiB.
	d := newTestExtractor(t)
	big := `{"a":"` + strings.Repeat("x", DefaultMaxEventBytes) + `"}`
	if err := d.Extract([]byte(big), time.Now(), &ev); !errors.Is(err, ErrTooLarge) {
		t.Errorf("2 MiB event: %v", err)
	}
}

func TestEventTime(t *testing.T) {
	x := newTestExtractor(t)
	arrival := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		src  TimeSource
	}{
		{`{"_path":"x","ts":1588205198.89971}`, time.Unix(1588205198, 899710000).UTC(), TimeEvent},
		{`{"_path":"x","ts":"2018-03-24T17:15:20.600725Z","_write_ts":"2019-01-01T00:00:00Z"}`, time.Date(2018, 3, 24, 17, 15, 20, 600725000, time.UTC), TimeEvent},
		{`{"_path":"x","_write_ts":"2019-01-01T00:00:00Z","ts":"bad"}`, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), TimeEvent},
		{`{"event_type":"flow","src_ip":"1.2.3.4","timestamp":"2024-03-11T09:14:27.433142+0100"}`, time.Date(2024, 3, 11, 8, 14, 27, 433142000, time.UTC), TimeEvent},
		{`{"class_uid":4001,"time":1710152230123}`, time.UnixMilli(1710152230123).UTC(), TimeEvent},
		{`{"msg":"x","timestamp":"1710152230"}`, time.Unix(1710152230, 0).UTC(), TimeEvent},
		{`{"msg":"x","time":1710152230123456}`, time.UnixMicro(1710152230123456).UTC(), TimeEvent},
		{`{"msg":"x","time":"2024-03-11 10:15:42"}`, time.Date(2024, 3, 11, 10, 15, 42, 0, time.UTC), TimeEvent},
		{`{"msg":"x","time":"2024-03-11T10:15:42-05:30"}`, time.Date(2024, 3, 11, 15, 45, 42, 0, time.UTC), TimeEvent},
		{`{"msg":"x"}`, arrival, TimeArrival},
		{`{"msg":"x","time":"yesterday"}`, arrival, TimeArrival},
		{`text line`, arrival, TimeArrival},
	}
	var ev Event
	for _, tt := range tests {
		if err := x.Extract([]byte(tt.in), arrival, &ev); err != nil {
			t.Fatal(err)
		}
		if !ev.Time.Equal(tt.want) || ev.TimeSource != tt.src || ev.Time.Location() != time.UTC {
			t.Errorf("%s: time %v (%v), want %v (%v)", tt.in, ev.Time, ev.TimeSource, tt.want, tt.src)
		}
	}
}

// TestEventTimeZone checks Config.TimeZone: times written without a zone
// (NXLog's EventTime) are read in it, others are left alone, and
// extraction still allocates nothing.
func TestEventTimeZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	x, err := New(Config{TimeZone: paris})
	if err != nil {
		t.Fatal(err)
	}
	arrival := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		// Winter (UTC+1) and summer (UTC+2) local times.
		{`{"EventID":4624,"Channel":"Security","Hostname":"dc1","EventTime":"2024-03-11 10:24:05"}`, time.Date(2024, 3, 11, 9, 24, 5, 0, time.UTC)},
		{`{"EventID":4624,"Channel":"Security","Hostname":"dc1","EventTime":"2024-07-11 10:24:05.5"}`, time.Date(2024, 7, 11, 8, 24, 5, 5e8, time.UTC)},
		// A zone in the value wins; epochs are absolute.
		{`{"msg":"x","time":"2024-03-11T10:15:42Z"}`, time.Date(2024, 3, 11, 10, 15, 42, 0, time.UTC)},
		{`{"msg":"x","time":"2024-03-11T10:15:42+01:00"}`, time.Date(2024, 3, 11, 9, 15, 42, 0, time.UTC)},
		{`{"msg":"x","time":1710152230}`, time.Unix(1710152230, 0).UTC()},
	} {
		var ev Event
		if err := x.Extract([]byte(tt.in), arrival, &ev); err != nil {
			t.Fatal(err)
		}
		if !ev.Time.Equal(tt.want) || ev.TimeSource != TimeEvent || ev.Time.Location() != time.UTC {
			t.Errorf("%s: time %v (%v), want %v", tt.in, ev.Time, ev.TimeSource, tt.want)
		}
	}
	var ev Event
	raw := []byte(`{"EventID":4624,"Channel":"Security","Hostname":"dc1","EventTime":"2024-03-11 10:24:05"}`)
	_ = x.Extract(raw, arrival, &ev)
	if n := testing.AllocsPerRun(100, func() { _ = x.Extract(raw, arrival, &ev) }); n != 0 {
		t.Errorf("%.1f allocations per event with a time zone", n)
	}
}

func TestParseTimeFormats(t *testing.T) {
	bad := []string{"2024-13-01T00:00:00Z", "2024-03-11T25:00:00Z", "2024-03-11T10:15:42+25:00", "2024-03-11T10:15:42Q",
		"2024-03-11", "1.2.3", "-5", "2024-03-11T10:15:42."}
	for _, s := range bad {
		if tm, ok := parseTime(jsonscan.String, []byte(s), nil); ok {
			t.Errorf("parseTime(%q) = %v, want failure", s, tm)
		}
	}
}

func TestSubjects(t *testing.T) {
	x, err := New(Config{Subjects: []SubjectRule{
		{Subject: "logs.zeek.>", Profile: "zeek"},
		{Subject: "logs.*.eve", Profile: "suricata"},
		{Subject: "logs.mixed", Profile: "auto"},
		{Subject: ">", Profile: "generic"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"logs.zeek.conn": "zeek", "logs.zeek.a.b": "zeek", "logs.zeek": "generic", "logs.ids1.eve": "suricata",
		"logs.ids1.eve.x": "generic", "logs.mixed": "", "other": "generic",
	}
	for subj, want := range tests {
		p := x.ProfileFor(subj)
		got := ""
		if p != nil {
			got = p.Name()
		}
		if got != want {
			t.Errorf("ProfileFor(%q) = %q, want %q", subj, got, want)
		}
	}
	for _, bad := range []SubjectRule{{Subject: "a.>.b", Profile: "zeek"}, {Subject: "a.b*", Profile: "zeek"}, {Subject: "a", Profile: "nope"}, {Subject: "", Profile: "zeek"}} {
		if _, err := New(Config{Subjects: []SubjectRule{bad}}); err == nil {
			t.Errorf("rule %+v accepted", bad)
		}
	}
}

func TestUserProfiles(t *testing.T) {
	specs, err := LoadProfiles(strings.NewReader(`
profiles:
  - name: myapp
    priority: 95
    detect: [[app_name, client]]
    time: {fields: [when]}
    scan_unmapped: [url]
    fields:
      client: ip source
      server: {kind: host, role: destination}
      port: port destination
      sha: hash
      who: user-account
  - name: zeek-custom
    extends: zeek
    fields:
      query: ignore
`))
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(Config{Profiles: specs})
	if err != nil {
		t.Fatal(err)
	}
	var ev Event
	in := `{"app_name":"x","when":"2024-03-11T10:00:00Z","client":"10.0.0.1","server":"evil.example.net","port":"8443","sha":"5EB63BBBE01EEED093CB22BB8F5ACDC3","who":"bob","note":"see https://evil.example.net/x"}`
	if err := x.Extract([]byte(in), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Profile != "myapp" || ev.TimeSource != TimeEvent {
		t.Fatalf("profile %q, time source %v", ev.Profile, ev.TimeSource)
	}
	want := map[string]bool{"ipv4/source/10.0.0.1": false, "domain/destination/evil.example.net": false,
		"md5/file/5eb63bbbe01eeed093cb22bb8f5acdc3": false, "user-account/user/bob": false, "url/url/https://evil.example.net/x": false}
	for _, o := range ev.Observables {
		want[o.Kind.String()+"/"+o.Role.String()+"/"+string(o.Text)] = true
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("missing %s", k)
		}
	}
	if err := x.ExtractWith(x.Profile("zeek-custom"), []byte(`{"_path":"dns","query":"a.example.com","id.orig_h":"10.0.0.1"}`), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	for _, o := range ev.Observables {
		if o.Kind == observable.Domain {
			t.Errorf("extends did not override query: %v", string(o.Text))
		}
	}
	if len(ev.Observables) == 0 {
		t.Error("extends lost the inherited fields")
	}
	for _, bad := range []string{
		`[{name: a, fields: {x: nokind}}]`, `[{name: a, fields: {x: ip norole}}]`, `[{name: a, extends: b}]`,
		`[{name: a, scan_unmapped: [nothing]}]`, `[{name: auto}]`, `[{name: a, variants: {x: {y: ip}}}]`,
		`[{name: a, extends: a}]`,
	} {
		specs, err := LoadProfiles(strings.NewReader(bad))
		if err != nil {
			t.Fatalf("LoadProfiles(%s): %v", bad, err)
		}
		if _, err := New(Config{Profiles: specs}); err == nil {
			t.Errorf("profile %s accepted", bad)
		}
	}
}

func TestStringsAndObservationCache(t *testing.T) {
	x := newTestExtractor(t)
	var ev Event
	in := `{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","EventData":"{\"CommandLine\":\"cmd.exe \\\"a\\\"\",\"Image\":\"C:\\\\x.exe\"}","note":"tab\there"}`
	if err := x.Extract([]byte(in), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	ev.Strings(func(field string, value []byte) { got[field] = string(value) })
	if got["EventData.CommandLine"] != `cmd.exe "a"` || got["EventData.Image"] != `C:\x.exe` || got["note"] != "tab\there" || got["Channel"] == "" {
		t.Errorf("Strings = %q", got)
	}
	o1 := ev.Observation()
	if o1 != ev.Observation() {
		t.Error("observation not cached")
	}
	if o1.NumberObserved != 1 || !o1.First.Equal(ev.Time) || !o1.Last.Equal(ev.Time) || o1.ID != ObservationID {
		t.Errorf("observation header %+v", o1)
	}
	if err := x.Extract([]byte(`{"_path":"dns","query":"b.example.com"}`), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Observation() == o1 {
		t.Error("observation cache survived a new Extract")
	}
	var text Event
	if err := x.Extract([]byte("hello 192.0.2.1\n"), time.Now(), &text); err != nil {
		t.Fatal(err)
	}
	n := 0
	text.Strings(func(field string, value []byte) {
		n++
		if field != "" || string(value) != "hello 192.0.2.1" {
			t.Errorf("text Strings: %q %q", field, value)
		}
	})
	if n != 1 || !text.IsText() {
		t.Errorf("text event: %d strings", n)
	}
}

// TestExtractZeroAllocs checks the promise of the hot path: once an Event
// is warm, extracting real events allocates nothing.
func TestExtractZeroAllocs(t *testing.T) {
	lines := loadEvents(t)
	x := newTestExtractor(t)
	var ev Event
	arrival := time.Now()
	run := func() {
		for _, l := range lines {
			if err := x.Extract(l, arrival, &ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	run() // warm the Event's buffers and caches
	if allocs := testing.AllocsPerRun(3, run); allocs != 0 {
		t.Errorf("Extract allocates %v times per pass over %d events", allocs, len(lines))
	}
	text := x.Profile(TextProfile)
	runText := func() {
		for _, l := range lines[:2000] {
			if err := x.ExtractWith(text, l, arrival, &ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	runText()
	if allocs := testing.AllocsPerRun(3, runText); allocs != 0 {
		t.Errorf("text extraction allocates %v times per pass", allocs)
	}
}

func TestObservableCap(t *testing.T) {
	x, err := New(Config{MaxObservables: 10})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"msg":"`)
	for i := 0; i < 50; i++ {
		b.WriteString("10.0.0.")
		b.WriteString(strings.Repeat("1", 1+i%3))
		b.WriteString(" 192.0.2.")
		b.WriteString([]string{"7", "8", "9", "10", "11"}[i%5])
		b.WriteString(" ")
	}
	b.WriteString(`"}`)
	var ev Event
	if err := x.Extract([]byte(b.String()), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Observables) != 8 || ev.Dropped != 0 {
		t.Errorf("%d observables, %d dropped; want the 8 distinct addresses", len(ev.Observables), ev.Dropped)
	}
	b.Reset()
	b.WriteString(`{"msg":"`)
	for i := 0; i < 40; i++ {
		b.WriteString("198.51.100.")
		b.WriteString(strings.Repeat("1", 1) + string(rune('0'+i/10)) + string(rune('0'+i%10)))
		b.WriteString(" ")
	}
	b.WriteString(`"}`)
	if err := x.Extract([]byte(b.String()), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Observables) != 10 || ev.Dropped != 30 {
		t.Errorf("%d observables, %d dropped; want 10 and 30", len(ev.Observables), ev.Dropped)
	}
}

// TestConcurrentWorkers shares one Extractor between workers, each with its
// own Event, as the engine does (run with -race).
func TestConcurrentWorkers(t *testing.T) {
	lines := loadEvents(t)
	x := newTestExtractor(t)
	done := make(chan int)
	for w := 0; w < 4; w++ {
		go func(w int) {
			var ev Event
			n := 0
			for i := w; i < len(lines); i += 4 * 7 {
				if err := x.Extract(lines[i], time.Now(), &ev); err == nil {
					n += len(ev.Observables)
					ev.Observation()
				}
			}
			done <- n
		}(w)
	}
	total := 0
	for w := 0; w < 4; w++ {
		total += <-done
	}
	if total == 0 {
		t.Error("no observables")
	}
}

func TestDomainEndpoint(t *testing.T) {
	x := newTestExtractor(t)
	var ev Event
	in := `{"@timestamp":"2024-03-11T09:22:30Z","ecs":{"version":"8.11.0"},"destination":{"domain":"Evil.Example.com","port":443}}`
	if err := x.Extract([]byte(in), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	obs := ev.Observation()
	var nt, dom string
	for _, o := range obs.Objects {
		switch o.Type() {
		case "network-traffic":
			nt, _ = o.GetString("dst_ref")
		case "domain-name":
			dom = o.ID()
			if v, _ := o.GetString("value"); v != "evil.example.com" {
				t.Errorf("domain value %q", v)
			}
		}
	}
	if nt == "" || nt != dom {
		t.Errorf("dst_ref %q, domain object %q", nt, dom)
	}
}
