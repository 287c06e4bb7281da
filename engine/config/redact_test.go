package config

import (
	"strings"
	"testing"
)

func TestRedacted(t *testing.T) {
	c := Default()
	c.NATS.URL = "nats://alice:pw1@n1:4222, nats://tok2@n2:4222,n3:4222,bob:pw3@n4:4222"
	c.NATS.User, c.NATS.Password, c.NATS.Token = "alice", "pw4", "tok5"
	c.Intel.BaseURL = "https://u:pw6@api.example/"
	c.Intel.TAXIIRoot = "https://api.example/taxii/"
	c.NATS.CredsFile = "/etc/m.creds"
	r := c.Redacted()
	out, err := r.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"pw1", "tok2", "pw3", "pw4", "tok5", "pw6"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("redacted YAML holds %q:\n%s", secret, out)
		}
	}
	for _, kept := range []string{"alice", "n1:4222", "n2:4222", "n3:4222", "bob", "n4:4222", "/etc/m.creds", "https://api.example/taxii/"} {
		if !strings.Contains(string(out), kept) {
			t.Errorf("redacted YAML lost %q:\n%s", kept, out)
		}
	}
	if r.NATS.URL != "nats://alice:REDACTED@n1:4222,nats://REDACTED@n2:4222,n3:4222,bob:REDACTED@n4:4222" {
		t.Errorf("url %q", r.NATS.URL)
	}
	// The original is untouched and no slice is shared.
	if c.NATS.Password != "pw4" || !strings.Contains(c.NATS.URL, "pw1") {
		t.Error("Redacted modified its receiver")
	}
	r.NATS.Subjects[0] = "x"
	if c.NATS.Subjects[0] != "logs.>" {
		t.Error("Redacted shares slices")
	}
	if got := redactURL("nats://a b@%zz"); got != redactedMark {
		t.Errorf("unparseable URL with @ gives %q", got)
	}
}
