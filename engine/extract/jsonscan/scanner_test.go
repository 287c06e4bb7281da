package jsonscan

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

type pair struct {
	path, val string
	t         Type
}

type collect struct{ got []pair }

func (c *collect) Value(path []byte, t Type, v []byte) {
	c.got = append(c.got, pair{string(path), string(v), t})
}

// flatten is the slow reference: encoding/json into any, then walk.
func flatten(prefix string, v any, out *[]pair) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for _, e := range x {
			flatten(prefix, e, out)
		}
	case string:
		*out = append(*out, pair{prefix, x, String})
	case json.Number:
		*out = append(*out, pair{prefix, string(x), Number})
	case bool:
		t := False
		if x {
			t = True
		}
		*out = append(*out, pair{prefix, fmt.Sprint(x), t})
	case nil:
		*out = append(*out, pair{prefix, "null", Null})
	}
}

func sortPairs(p []pair) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].path != p[j].path {
			return p[i].path < p[j].path
		}
		if p[i].val != p[j].val {
			return p[i].val < p[j].val
		}
		return p[i].t < p[j].t
	})
}

// hasDuplicateKeys reports whether an object in data repeats a key;
// encoding/json keeps only the last one while this scanner reports both.
func hasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []map[string]bool
	expectKey := []bool{}
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch x := tok.(type) {
		case json.Delim:
			switch x {
			case '{':
				stack = append(stack, map[string]bool{})
				expectKey = append(expectKey, true)
				continue
			case '[':
				stack = append(stack, nil)
				expectKey = append(expectKey, false)
				continue
			default:
				stack = stack[:len(stack)-1]
				expectKey = expectKey[:len(expectKey)-1]
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && expectKey[n-1] {
				if stack[n-1][x] {
					return true
				}
				stack[n-1][x] = true
				expectKey[n-1] = false
				continue
			}
		}
		if n := len(stack); n > 0 && stack[n-1] != nil {
			expectKey[n-1] = true
		}
	}
}

// compareWithStdlib checks validity and reported values against
// encoding/json.
func compareWithStdlib(t *testing.T, data []byte) {
	t.Helper()
	var s Scanner
	s.MaxDepth = 10000
	var c collect
	err := s.Scan(data, nil, &c)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	stdValid := json.Valid(data) && utf8.Valid(data) && len(trimmed) > 0 && trimmed[0] == '{'
	if (err == nil) != stdValid {
		t.Fatalf("Scan(%q) error %v; encoding/json valid object: %v", data, err, stdValid)
	}
	if err != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var want []pair
	flatten("", v, &want)
	if hasDuplicateKeys(data) {
		return
	}
	sortPairs(want)
	sortPairs(c.got)
	for i := range want {
		if i >= len(c.got) || want[i] != c.got[i] {
			t.Fatalf("Scan(%q): values differ\n got %v\nwant %v", data, c.got, want)
		}
	}
}

func TestScanTable(t *testing.T) {
	valid := []string{
		`{}`, ` {"a":1} `, `{"a":{"b":{"c":"x"}}}`, `{"a.b":"x","a":{"b":"y"}}`,
		`{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\udc00"}`, `{"n":[-0,1.5e10,-2E-3,0.1,123]}`,
		`{"l":[true,false,null,[],{},[[1]]]}`, `{"k\u002ey":"v"}`, `{"é":"ü"}`,
		`{"ans":["a",{"data":"b"},["c"]]}`,
	}
	for _, s := range valid {
		compareWithStdlib(t, []byte(s))
	}
	invalid := map[string]error{
		``: ErrSyntax, `[]`: ErrNotObject, `"x"`: ErrNotObject, `{`: ErrSyntax, `{"a"}`: ErrSyntax,
		`{"a":}`: ErrSyntax, `{"a":1,}`: ErrSyntax, `{"a":01}`: ErrSyntax, `{"a":1.}`: ErrSyntax,
		`{"a":.5}`: ErrSyntax, `{"a":+1}`: ErrSyntax, `{"a":tru}`: ErrSyntax, `{"a":"\x"}`: ErrSyntax,
		`{"a":"\u12"}`: ErrSyntax, "{\"a\":\"\x01\"}": ErrSyntax, "{\"a\":\"\xff\"}": ErrUTF8,
		`{"a":1} x`: ErrSyntax, `{"a":1}{}`: ErrSyntax, `{"a" 1}`: ErrSyntax, `{a:1}`: ErrSyntax,
		`{"a":[1 2]}`: ErrSyntax, `{"a":"x`: ErrSyntax, "{\"a\":\"\xed\xa0\x80\"}": ErrUTF8,
	}
	for in, want := range invalid {
		var s Scanner
		if err := s.Scan([]byte(in), nil, &collect{}); err != want {
			t.Errorf("Scan(%q) = %v, want %v", in, err, want)
		}
	}
}

func TestScanDepth(t *testing.T) {
	var s Scanner
	s.MaxDepth = 3
	if err := s.Scan([]byte(`{"a":{"b":[1]}}`), nil, &collect{}); err != nil {
		t.Errorf("depth 3: %v", err)
	}
	if err := s.Scan([]byte(`{"a":{"b":[[1]]}}`), nil, &collect{}); err != ErrTooDeep {
		t.Errorf("depth 4: %v, want ErrTooDeep", err)
	}
	deep := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	s.MaxDepth = 0
	if err := s.Scan([]byte(deep), nil, &collect{}); err != ErrTooDeep {
		t.Errorf("deep document: %v, want ErrTooDeep", err)
	}
}

func TestScanPrefixAndArena(t *testing.T) {
	var s Scanner
	var c collect
	if err := s.Scan([]byte(`{"Image":"C:\\x.exe","n":{"k":"plain"}}`), []byte("EventData"), &c); err != nil {
		t.Fatal(err)
	}
	want := []pair{{"EventData.Image", `C:\x.exe`, String}, {"EventData.n.k", "plain", String}}
	if fmt.Sprint(c.got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", c.got, want)
	}
	if string(s.Arena) != `C:\x.exe` {
		t.Errorf("arena = %q", s.Arena)
	}
}

func TestTopKeys(t *testing.T) {
	var got []string
	ok := TopKeys([]byte(` {"_path":"dns","id":{"x":"}\"{"},"l":[1,{"y":2}],"n":-1.5,"e\"k":true}`), func(k []byte) bool {
		got = append(got, string(k))
		return true
	})
	if !ok || strings.Join(got, ",") != `_path,id,l,n,e\"k` {
		t.Errorf("TopKeys = %q, %v", got, ok)
	}
	got = got[:0]
	TopKeys([]byte(`{"a":1,"b":2}`), func(k []byte) bool {
		got = append(got, string(k))
		return false
	})
	if strings.Join(got, ",") != "a" {
		t.Errorf("TopKeys did not stop: %q", got)
	}
	if TopKeys([]byte(`[1]`), func([]byte) bool { return true }) {
		t.Error("TopKeys accepted an array")
	}
}

// realLines returns the lines of the real events file.
func realLines(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open("../../../testdata/real/events.jsonl.gz")
	if err != nil {
		t.Skipf("real events unavailable: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestScanRealEventsMatchesStdlib(t *testing.T) {
	for _, line := range realLines(t) {
		compareWithStdlib(t, line)
	}
}

func TestScanZeroAllocs(t *testing.T) {
	lines := realLines(t)
	var s Scanner
	h := discard{}
	allocs := testing.AllocsPerRun(5, func() {
		for _, l := range lines[:2000] {
			s.Arena = s.Arena[:0]
			if err := s.Scan(l, nil, h); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Scan allocates %v times per 2000 events", allocs)
	}
}
