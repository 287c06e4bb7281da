package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMatchIndicatorFileProblems runs `matcher match` on an indicator file
// with an unreadable indicator, a non-indicator object and an id given
// twice: the rest is used, the newer of the two wins, and the bad object
// is named on stderr.
func TestMatchIndicatorFileProblems(t *testing.T) {
	dir := t.TempDir()
	inds := filepath.Join(dir, "indicators.jsonl")
	events := filepath.Join(dir, "conn.log")
	lines := []string{
		`{"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","name":"new","modified":"2024-02-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix"}`,
		`{"type":"indicator","id":"not-an-indicator-id","modified":"2024-02-01T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.8']"}`,
		`{"type":"malware","id":"malware--00000000-0000-4000-8000-000000000009","name":"x","is_family":false}`,
		`{"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","name":"old","modified":"2024-01-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.9']","pattern_type":"stix"}`,
	}
	if err := os.WriteFile(inds, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conn := func(ip string) string {
		return `{"_path":"conn","ts":"2024-03-01T00:00:00Z","uid":"C1","id.orig_h":"10.1.1.1","id.orig_p":50000,"id.resp_h":"` + ip + `","id.resp_p":443,"proto":"tcp"}`
	}
	if err := os.WriteFile(events, []byte(conn("198.51.100.7")+"\n"+conn("198.51.100.8")+"\n"+conn("198.51.100.9")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLI(t, "match", "--indicators", inds, events)
	if err != nil {
		t.Fatalf("match: %v\n%s", err, errOut)
	}
	alerts := strings.Split(strings.TrimSpace(out), "\n")
	if len(alerts) != 1 || !strings.Contains(alerts[0], `"198.51.100.7"`) || !strings.Contains(alerts[0], `"name":"new"`) {
		t.Fatalf("want one alert for the newer indicator, got:\n%s", out)
	}
	if !strings.Contains(errOut, "object 2") || !strings.Contains(errOut, "does not start with indicator--") {
		t.Errorf("stderr does not name the unreadable object:\n%s", errOut)
	}
}
