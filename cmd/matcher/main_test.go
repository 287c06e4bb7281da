package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelpAndUnknownCommand(t *testing.T) {
	out, _, err := runCLI(t)
	if err != nil || !strings.Contains(out, "stix-test") {
		t.Fatalf("help: %v %q", err, out)
	}
	if _, _, err := runCLI(t, "no-such-command"); !errors.Is(err, errUsage) {
		t.Fatalf("unknown command: %v, want errUsage", err)
	}
}

// TestStixTestBundledVectors runs the conformance command over the vectors
// bundled in testdata/stix.
func TestStixTestBundledVectors(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/stix/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no bundled vectors in testdata/stix")
	}
	out, _, err := runCLI(t, append([]string{"stix-test"}, files...)...)
	if err != nil {
		t.Fatalf("stix-test: %v\n%s", err, out)
	}
	if !strings.HasSuffix(out, " passed, 0 failed\n") {
		t.Fatalf("unexpected summary:\n%s", out)
	}
}

// TestStixTestSharedVectors runs it over every file of the shared folder,
// which may hold more vector files than the bundled copy.
func TestStixTestSharedVectors(t *testing.T) {
	dir := "../../../shared/testdata/stix"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared vector folder %s is absent (%v); the bundled copy is tested by TestStixTestBundledVectors", dir, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		t.Skipf("no *.jsonl vector files in %s", dir)
	}
	out, _, err := runCLI(t, append([]string{"stix-test"}, files...)...)
	if err != nil {
		t.Fatalf("stix-test: %v\n%s", err, out)
	}
}

func TestStixTestReportsFailures(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "v.jsonl")
	vectors := `{"id":"s-ok","pattern":"[a:b = 1]","valid":true,"check":"parse"}
{"id":"s-wrong","pattern":"[a:b = ]","valid":true,"check":"parse"}
{"id":"m-wrong","pattern":"[a:b = 1]","observations":[{"type":"bundle","objects":[{"type":"observed-data","id":"observed-data--1","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["a--1"]},{"type":"a","id":"a--1","b":1}]}],"expect":false}
`
	if err := os.WriteFile(f, []byte(vectors), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "stix-test", f)
	if !errors.Is(err, errFailed) {
		t.Fatalf("want errFailed, got %v", err)
	}
	for _, want := range []string{"s-wrong: parse check: rejected", "m-wrong: matched=true, want false", "1 passed, 2 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestParseCommand(t *testing.T) {
	out, _, err := runCLI(t, "parse", "[file:hashes.MD5 = 'x'] WITHIN 5 SECONDS")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"canonical: [file:hashes.MD5 = 'x'] WITHIN 5 SECONDS", "validator: pattern: \"x\" is not a valid MD5 hash", "min observations: 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runCLI(t, "parse", "[a:b = ]"); err == nil || !strings.Contains(err.Error(), "line 1, column 8") {
		t.Errorf("syntax error: %v", err)
	}
}

// TestHelpFlagIsNotAnError: every command's -h prints its usage and
// succeeds, whatever its flag parsing.
func TestHelpFlagIsNotAnError(t *testing.T) {
	for name := range commands() {
		_, errOut, err := runCLI(t, name, "-h")
		if err != nil || !strings.Contains(errOut, "-") {
			t.Errorf("%s -h: %v, usage %q", name, err, errOut)
		}
	}
}
