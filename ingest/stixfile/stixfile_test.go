package stixfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

func collect(t *testing.T, in []byte) ([]string, error) {
	t.Helper()
	var got []string
	err := Read(bytes.NewReader(in), func(obj []byte) error {
		got = append(got, string(obj))
		return nil
	})
	return got, err
}

func TestShapes(t *testing.T) {
	lines := "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\r\n"
	bundle := "{\n  \"type\": \"bundle\",\n  \"objects\": [\n    {\"id\":\"a\"},\n    {\"id\":\"b\"}\n  ]\n}\n"
	array := ` [{"id":"a"}, {"id":"b"}]`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(lines))
	zw.Close()
	for name, in := range map[string][]byte{"lines": []byte(lines), "bundle": []byte(bundle), "array": []byte(array), "gzip": gz.Bytes(), "bundle-one-line": []byte(strings.ReplaceAll(bundle, "\n", ""))} {
		got, err := collect(t, in)
		if err != nil || len(got) != 2 || !strings.Contains(got[0], `"a"`) || !strings.Contains(got[1], `"b"`) {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
	if got, err := collect(t, nil); err != nil || len(got) != 0 {
		t.Errorf("empty input: %q %v", got, err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := collect(t, []byte("{\"id\":\"a\"}\n{broken\n")); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("broken line: %v", err)
	}
	if _, err := collect(t, []byte("hello")); !errors.Is(err, ErrFormat) {
		t.Errorf("not JSON: %v", err)
	}
	stop := errors.New("stop")
	err := Read(strings.NewReader("{}\n{}\n"), func([]byte) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("callback error must be returned: %v", err)
	}
}

func TestRealFile(t *testing.T) {
	n := 0
	err := ReadFile("../../testdata/real/indicators.jsonl.gz", func([]byte) error { n++; return nil })
	if err != nil || n != 83285 {
		t.Fatalf("read %d objects: %v", n, err)
	}
}
