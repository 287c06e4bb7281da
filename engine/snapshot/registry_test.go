package snapshot

import (
	"fmt"
	"slices"
	"testing"
)

// TestRegistryKeysMatchAcrossSpellings checks that a registry-key
// indicator matches the same key however a feed or a log spells it:
// hive alias or full name, any case, doubled separators — with =, IN,
// LIKE, MATCHES, and inside a pattern that needs verification.
func TestRegistryKeysMatchAcrossSpellings(t *testing.T) {
	const runKey = `Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater`
	patterns := []string{
		`[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\` + runKey + `']`,
		`[windows-registry-key:key = 'HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\RUN\\UPDATER']`,
		`[windows-registry-key:key = 'HKLM\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\Updater']`,
		`[windows-registry-key:key IN ('HKLM\\Nothing', 'hklm\\` + runKey + `')]`,
		`[windows-registry-key:key LIKE 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\%']`,
		`[windows-registry-key:key MATCHES '^HKLM\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\[a-z]+$']`,
		`[windows-registry-key:key MATCHES '^hkey_local_machine\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\[A-Z]+$']`,
		`[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\` + runKey + `' AND windows-registry-key:key != 'HKLM\\Other']`,
	}
	events := []string{
		// Sysmon event 13 (registry value set), NXLog field names.
		`{"EventID":13,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1","UtcTime":"2024-03-11 09:24:05.000","EventType":"SetValue","TargetObject":"HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater","Details":"C:\\Users\\Public\\u.exe"}`,
		// The kernel's spelling, as some collectors report it.
		`{"EventID":13,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1","TargetObject":"\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater"}`,
		// ECS registry event.
		`{"@timestamp":"2024-03-11T09:24:05.000Z","ecs":{"version":"8.11.0"},"event":{"category":["registry"]},"registry":{"path":"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater"}}`,
	}
	for i, pat := range patterns {
		ind := Indicator{ID: fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i+1), Pattern: pat}
		b := NewBuilder(Options{})
		b.Add(ind)
		snap, diags, err := b.Build()
		if err != nil || len(diags) != 0 {
			t.Fatalf("%s: %v %v", pat, err, diags)
		}
		for j, raw := range events {
			ev := extractOne(t, raw)
			var sc Scratch
			hits := snap.Match(ev, MatchOptions{}, &sc)
			if !slices.ContainsFunc(hits, func(h Hit) bool { return !h.Benign }) {
				t.Errorf("pattern %s does not match event %d (observables %v)", pat, j, ev.Observables)
			}
		}
	}
	// A user's key as Sysmon logs it (HKU\<SID>\…) matches the feed's
	// HKCU\… indicator, the SID's Classes hive its HKCU\Software\Classes.
	for _, c := range []struct{ pattern, targetObject string }{
		{`[windows-registry-key:key = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater']`, `HKU\\S-1-5-21-1004336348-1177238915-682003330-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater`},
		{`[windows-registry-key:key LIKE 'HKEY_CURRENT_USER\\Software\\Classes\\ms-settings\\%']`, `HKU\\S-1-5-21-1-2-3-1001_Classes\\ms-settings\\Shell\\Open\\command`},
		{`[windows-registry-key:key = 'HKU\\S-1-5-21-1-2-3-1001\\Environment\\UserInitMprLogonScript']`, `HKU\\S-1-5-21-1-2-3-1001\\Environment\\UserInitMprLogonScript`},
	} {
		snap := buildOf(t, Options{}, Indicator{ID: "indicator--00000000-0000-4000-8000-000000000098", Pattern: c.pattern})
		ev := extractOne(t, `{"EventID":13,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1","TargetObject":"`+c.targetObject+`"}`)
		var sc Scratch
		if hits := snap.Match(ev, MatchOptions{}, &sc); len(hits) == 0 {
			t.Errorf("%s does not match %s (observables %v)", c.pattern, c.targetObject, ev.Observables)
		}
	}

	// A different key does not match.
	snap := buildOf(t, Options{}, Indicator{ID: "indicator--00000000-0000-4000-8000-000000000099", Pattern: patterns[0]})
	ev := extractOne(t, `{"EventID":13,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1","TargetObject":"HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce\\Updater"}`)
	var sc Scratch
	if hits := snap.Match(ev, MatchOptions{}, &sc); len(hits) != 0 {
		t.Errorf("RunOnce matched the Run indicator: %v", hits)
	}
}
