package jsonscan

import (
	"testing"
)

// FuzzScan checks the scanner against encoding/json on arbitrary input:
// same validity, same values, no panic. Seeds are real Zeek events and
// their prefixes (split input).
func FuzzScan(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"\ud800"}`, `{"a":[1,{"b":null}]}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	lines := realLines(f)
	for i := 0; i < len(lines); i += len(lines) / 40 {
		f.Add(lines[i])
		f.Add(lines[i][:len(lines[i])/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithStdlib(t, data)
		TopKeys(data, func([]byte) bool { return true })
		_ = Valid(data, 0)
	})
}
