// Package conformance runs STIX pattern test vectors (the JSON Lines format
// of testdata/stix/README.md) against the engine's parser, validator and
// evaluator, and reports each vector that disagrees.
//
// A Runner holds no state between calls and is safe for concurrent use.
package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/indicator-matcher/matcher/engine/eval"
	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// vector is the union of the match and syntax vector formats.
type vector struct {
	ID      string `json:"id"`
	Pattern string `json:"pattern"`

	// Match vectors.
	Observations          []json.RawMessage `json:"observations"`
	Expect                *bool             `json:"expect"`
	ExpectError           bool              `json:"expect_error"`
	ExpectObservedDataIDs []string          `json:"expect_observed_data_ids"`
	IDsNote               string            `json:"ids_note"`

	// Syntax vectors.
	Valid      *bool           `json:"valid"`
	Check      string          `json:"check"`
	ParseOK    *bool           `json:"parse_ok"`
	ValidateOK *bool           `json:"validate_ok"`
	Inspect    json.RawMessage `json:"inspect"`
	Stix2Str   string          `json:"stix2_str"`
	RootTypes  []string        `json:"root_types"`
}

// Failure is one vector that did not give the expected result.
type Failure struct {
	File   string
	Line   int
	ID     string
	Reason string
}

func (f Failure) String() string {
	id := f.ID
	if id == "" {
		id = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return id + ": " + f.Reason
}

// Summary counts the outcome of a run.
type Summary struct {
	Passed, Failed int
	Failures       []Failure
}

// Add merges another summary into s.
func (s *Summary) Add(o Summary) {
	s.Passed += o.Passed
	s.Failed += o.Failed
	s.Failures = append(s.Failures, o.Failures...)
}

// RunFile runs every vector in the named file.
func RunFile(path string) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, fmt.Errorf("conformance: %w", err)
	}
	defer f.Close()
	return Run(f, path)
}

// Run runs every vector read from r; name labels failures. A line that is
// not a vector counts as a failure.
func Run(r io.Reader, name string) (Summary, error) {
	var sum Summary
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var v vector
		reason := ""
		if err := json.Unmarshal(raw, &v); err != nil {
			reason = "not a vector: " + err.Error()
		} else {
			reason = Check(&v)
		}
		if reason == "" {
			sum.Passed++
			continue
		}
		sum.Failed++
		sum.Failures = append(sum.Failures, Failure{File: name, Line: line, ID: v.ID, Reason: reason})
	}
	if err := sc.Err(); err != nil {
		return sum, fmt.Errorf("conformance: %s: %w", name, err)
	}
	return sum, nil
}

// Check runs one vector and returns why it failed, or "".
func Check(v *vector) string {
	switch {
	case v.Observations != nil || v.Expect != nil:
		return checkMatch(v)
	case v.Valid != nil:
		return checkSyntax(v)
	}
	return "vector has neither observations/expect nor valid"
}

func checkSyntax(v *vector) string {
	p, perr := pattern.Parse(v.Pattern)
	got := perr == nil
	var detail error = perr
	if got {
		switch v.Check {
		case "validate":
			detail = p.Validate()
		case "and-root-type":
			detail = p.CheckRootTypes()
		}
		got = detail == nil
	}
	if got != *v.Valid {
		if got {
			return fmt.Sprintf("%s check: accepted, want rejected", v.Check)
		}
		return fmt.Sprintf("%s check: rejected (%v), want accepted", v.Check, detail)
	}
	if v.ParseOK != nil && (perr == nil) != *v.ParseOK {
		return fmt.Sprintf("parse: got ok=%v (%v), want ok=%v", perr == nil, perr, *v.ParseOK)
	}
	if p == nil {
		return ""
	}
	if v.ValidateOK != nil && (p.Validate() == nil) != *v.ValidateOK {
		return fmt.Sprintf("validate: got ok=%v (%v), want ok=%v", p.Validate() == nil, p.Validate(), *v.ValidateOK)
	}
	if reason := roundTrip(p); reason != "" {
		return reason
	}
	if v.Stix2Str != "" && p.String() != v.Stix2Str {
		return fmt.Sprintf("canonical form %q, want %q", p.String(), v.Stix2Str)
	}
	if v.RootTypes != nil {
		if reason := checkRootTypes(p, v.RootTypes); reason != "" {
			return reason
		}
	}
	if len(v.Inspect) > 0 {
		return checkInspect(p, v.Inspect)
	}
	return ""
}

// roundTrip checks that printing and parsing again gives the same text.
func roundTrip(p *pattern.Pattern) string {
	text := p.String()
	q, err := pattern.Parse(text)
	if err != nil {
		return fmt.Sprintf("canonical form %q does not parse: %v", text, err)
	}
	if q.String() != text {
		return fmt.Sprintf("canonical form is not stable: %q then %q", text, q.String())
	}
	return ""
}

func checkRootTypes(p *pattern.Pattern, want []string) string {
	simple, ok := p.Root.(*pattern.ObsSimple)
	if !ok {
		return "root_types given for a pattern that is not one observation expression"
	}
	got := pattern.RootTypes(simple.Expr)
	w := slices.Clone(want)
	sort.Strings(w)
	if !slices.Equal(got, w) {
		return fmt.Sprintf("root types %v, want %v", got, w)
	}
	return ""
}

// checkInspect compares the fields the vector gives with Inspect.
func checkInspect(p *pattern.Pattern, raw json.RawMessage) string {
	var want map[string]any
	if err := json.Unmarshal(raw, &want); err != nil {
		return "inspect: " + err.Error()
	}
	gotJSON, err := json.Marshal(p.Inspect())
	if err != nil {
		return "inspect: " + err.Error()
	}
	var got map[string]any
	if err := json.Unmarshal(gotJSON, &got); err != nil {
		return "inspect: " + err.Error()
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			g, _ := json.Marshal(got[k])
			ws, _ := json.Marshal(w)
			return fmt.Sprintf("inspect %s: got %s, want %s", k, g, ws)
		}
	}
	return ""
}

func checkMatch(v *vector) string {
	if v.Expect == nil {
		return "match vector without expect"
	}
	p, err := pattern.Parse(v.Pattern)
	if err != nil {
		return fmt.Sprintf("pattern does not parse: %v", err)
	}
	m, err := eval.Compile(p)
	if err != nil {
		if v.ExpectError {
			return ""
		}
		return fmt.Sprintf("compile error %v, want expect=%v", err, *v.Expect)
	}
	bundles := make([]observation.Value, 0, len(v.Observations))
	for _, raw := range v.Observations {
		b, err := observation.ParseJSON(raw)
		if err != nil {
			return "observations: " + err.Error()
		}
		bundles = append(bundles, b)
	}
	obs, err := observation.FromBundles(bundles)
	if err != nil {
		if v.ExpectError {
			return ""
		}
		return "observations: " + err.Error()
	}
	res, err := m.Match(obs, eval.Options{})
	switch {
	case err != nil && errors.Is(err, eval.ErrWorkLimit):
		return fmt.Sprintf("work limit exceeded after %d steps", res.Steps)
	case err != nil && v.ExpectError:
		return ""
	case err != nil:
		return fmt.Sprintf("error %v, want expect=%v", err, *v.Expect)
	case v.ExpectError:
		return fmt.Sprintf("matched=%v without error, want an error", res.Matched)
	case res.Matched != *v.Expect:
		return fmt.Sprintf("matched=%v, want %v", res.Matched, *v.Expect)
	}
	if res.Matched && len(v.ExpectObservedDataIDs) > 0 && v.IDsNote == "" {
		got := make([]string, 0, len(res.Binding))
		for _, i := range res.Binding {
			got = append(got, obs[i].ID)
		}
		sort.Strings(got)
		got = slices.Compact(got)
		want := slices.Clone(v.ExpectObservedDataIDs)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			return fmt.Sprintf("bound observed-data %s, want %s", strings.Join(got, ","), strings.Join(want, ","))
		}
	}
	return ""
}
