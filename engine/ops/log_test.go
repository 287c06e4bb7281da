package ops

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestNewLogger(t *testing.T) {
	var b bytes.Buffer
	log, err := NewLogger("warn", "json", &b)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "subject", "logs.zeek", "n", 3)
	var rec map[string]any
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %q", err, b.String())
	}
	if rec["msg"] != "shown" || rec["level"] != "WARN" || rec["subject"] != "logs.zeek" || rec["n"] != 3.0 {
		t.Fatalf("record %v", rec)
	}
	b.Reset()
	log, err = NewLogger("debug", "text", &b)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("dbg", "k", "v w")
	if !strings.Contains(b.String(), `level=DEBUG msg=dbg k="v w"`) {
		t.Fatalf("text %q", b.String())
	}
}

func TestNewLoggerErrors(t *testing.T) {
	if _, err := NewLogger("trace", "text", nil); err == nil || !strings.Contains(err.Error(), `got "trace"`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewLogger("info", "xml", nil); err == nil || !strings.Contains(err.Error(), `got "xml"`) {
		t.Fatalf("err = %v", err)
	}
	for _, l := range []string{"debug", "info", "warn", "error"} {
		if _, err := ParseLevel(l); err != nil {
			t.Error(err)
		}
	}
}
