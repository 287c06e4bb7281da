package config

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// docRow is one row of the key table of docs/config.md.
type docRow struct {
	line                           int
	key, typ, def, env, flag, text string
}

func readDocTable(t *testing.T) []docRow {
	t.Helper()
	f, err := os.Open("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []docRow
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "| Key | Type | Default | Environment | Flag | Meaning |") {
			in = true
			continue
		}
		if !in || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 6 {
			t.Fatalf("docs/config.md:%d: want 6 cells, got %d: %s", n, len(cells), line)
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, docRow{n, unquote(cells[0]), cells[1], unquote(cells[2]), unquote(cells[3]), unquote(cells[4]), cells[5]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("docs/config.md: no key table")
	}
	return rows
}

func unquote(s string) string { return strings.TrimSuffix(strings.TrimPrefix(s, "`"), "`") }

// TestDocsListEveryKey keeps docs/config.md and Config in step: the same
// keys in the same order, each with its real type, default, environment
// variable and flag.
func TestDocsListEveryKey(t *testing.T) {
	rows := readDocTable(t)
	ls := leaves()
	byPath := map[string]leaf{}
	for _, l := range ls {
		byPath[l.path] = l
	}
	documented := map[string]bool{}
	def := Default()
	orderOK := true
	for i, r := range rows {
		l, ok := byPath[r.key]
		if !ok {
			t.Errorf("docs/config.md:%d: key %q is not in Config", r.line, r.key)
			continue
		}
		if documented[r.key] {
			t.Errorf("docs/config.md:%d: key %q documented twice", r.line, r.key)
		}
		documented[r.key] = true
		if orderOK && i < len(ls) && ls[i].path != r.key {
			orderOK = false // report the first displacement only
			t.Errorf("docs/config.md:%d: key %q out of order (struct order has %q here)", r.line, r.key, ls[i].path)
		}
		if r.typ != l.kind.String() {
			t.Errorf("docs/config.md:%d: %s: type %q, want %q", r.line, r.key, r.typ, l.kind)
		}
		if r.env != l.env {
			t.Errorf("docs/config.md:%d: %s: environment %q, want %q", r.line, r.key, r.env, l.env)
		}
		wantFlag := "–"
		if name := FlagName(l.path); name != "" {
			wantFlag = "--" + name
		}
		if r.flag != wantFlag {
			t.Errorf("docs/config.md:%d: %s: flag %q, want %q", r.line, r.key, r.flag, wantFlag)
		}
		// The documented default, read with the env/flag syntax, must
		// equal the real one.
		text := r.def
		if text == `""` || text == "[]" {
			text = ""
		}
		text = strings.TrimSuffix(strings.TrimPrefix(text, "["), "]")
		v, err := parseValue(l.kind, text)
		if err != nil {
			t.Errorf("docs/config.md:%d: %s: default %q: %v", r.line, r.key, r.def, err)
			continue
		}
		if got, want := formatValue(l.kind, v), l.get(&def); got != want {
			t.Errorf("docs/config.md:%d: %s: default %q, real default %q", r.line, r.key, r.def, want)
		}
		if len(r.text) < 10 {
			t.Errorf("docs/config.md:%d: %s: meaning too short", r.line, r.key)
		}
	}
	for _, l := range ls {
		if !documented[l.path] {
			t.Errorf("docs/config.md: key %s (%s) is not documented", l.path, l.env)
		}
	}
}

// Every flag is mentioned in the docs, and the documented flags exist.
func TestDocsFlags(t *testing.T) {
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "`--config FILE`") {
		t.Error("docs/config.md does not mention --config")
	}
	for _, d := range flagDefs {
		if !strings.Contains(string(data), "`--"+d.name+"`") {
			t.Errorf("flag --%s not documented", d.name)
		}
	}
}
