package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The section of RESULTS.md that `matcher bench --results` owns lies
// between these markers; the rest of the file (results of other packages'
// benchmarks, analysis written by people) is kept as it is.
const (
	resultsBegin = "<!-- matcher bench: begin. Written by `matcher bench --results`; edits inside are overwritten. -->"
	resultsEnd   = "<!-- matcher bench: end -->"
)

// ResultsChart is the chart written next to the results file.
const ResultsChart = "throughput.svg"

// UpdateResults writes the report into the results file (bench/RESULTS.md)
// between the markers, and its chart next to it. Without markers the
// section goes before the file's first second-level heading (or at the
// end), under a level-2 title. A missing file is created.
func (r *Report) UpdateResults(path string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("bench: %w", err)
	}
	section := resultsBegin + "\n" + r.Markdown(ResultsChart, 2) + "\n" + resultsEnd + "\n"
	text := string(old)
	if text == "" {
		text = "# Benchmark results\n\n"
	}
	if i := strings.Index(text, resultsBegin); i >= 0 {
		j := strings.Index(text[i:], resultsEnd)
		if j < 0 {
			return fmt.Errorf("bench: %s: %q without %q", path, resultsBegin, resultsEnd)
		}
		text = text[:i] + section + strings.TrimPrefix(text[i+j+len(resultsEnd):], "\n")
	} else if k := strings.Index(text, "\n## "); k >= 0 {
		text = text[:k+1] + section + "\n" + text[k+1:]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), ResultsChart), []byte(r.Chart()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}
