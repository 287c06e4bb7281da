package intelserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "test-key-7f3a"

var (
	realOnce sync.Once
	realDS   *Dataset
	realErr  error
)

// realDataset is the first 1500 real indicators, decorated, with related
// objects.
func realDataset(t testing.TB) *Dataset {
	t.Helper()
	realOnce.Do(func() {
		realDS, realErr = LoadDataset("../../testdata/real/indicators.jsonl.gz", DatasetOptions{MaxIndicators: 1500})
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realDS
}

func newTestServer(t testing.TB, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = []string{testKey}
	}
	s := New(realDataset(t), opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func get(t testing.TB, hs *httptest.Server, path string, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", hs.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", path, err)
	}
	return resp.StatusCode, resp.Header, b
}

type feedResp struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

func objID(t testing.TB, raw []byte) (id, typ string) {
	var m struct{ ID, Type string }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.ID, m.Type
}

// pull pages through the feed from cursor and returns the objects and the
// last cursor.
func pull(t testing.TB, hs *httptest.Server, prefix, query, cursor string, limit int) ([]json.RawMessage, string) {
	t.Helper()
	var all []json.RawMessage
	for i := 0; i < 10000; i++ {
		q := url.Values{"limit": {itoa(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		path := prefix + "collections/" + DefaultFeedID + "/objects?" + q.Encode() + query
		code, _, body := get(t, hs, path, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		var fr feedResp
		if err := json.Unmarshal(body, &fr); err != nil {
			t.Fatal(err)
		}
		all = append(all, fr.Items...)
		if fr.NextCursor != nil {
			cursor = *fr.NextCursor
		}
		if len(fr.Items) < limit {
			return all, cursor
		}
	}
	t.Fatal("feed never ended")
	return nil, ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestFeedFullPullMatchesDataset(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	for _, prefix := range []string{"/v2/inthreat/", "/api/v2/inthreat/"} {
		items, _ := pull(t, hs, prefix, "&match[type]=indicator", "", 97)
		want := s.Indicators()
		if len(items) != len(want) || len(want) != 1500 {
			t.Fatalf("%s: got %d items, want %d (dataset 1500)", prefix, len(items), len(want))
		}
		seen := map[string]bool{}
		for _, it := range items {
			id, typ := objID(t, it)
			if typ != "indicator" || seen[id] {
				t.Fatalf("unexpected %s %s (dup %v)", typ, id, seen[id])
			}
			seen[id] = true
			if !bytes.Equal(it, want[id]) {
				t.Fatalf("%s differs from the dataset", id)
			}
		}
	}
	// Without a type filter every object comes, in (updated, id) order.
	all, _ := pull(t, hs, "/v2/inthreat/", "", "", 2000)
	types := map[string]int{}
	for _, it := range all {
		_, typ := objID(t, it)
		types[typ]++
	}
	for _, typ := range []string{"indicator", "relationship", "malware", "attack-pattern", "course-of-action", "identity", "marking-definition"} {
		if types[typ] == 0 {
			t.Errorf("no %s in the feed (types %v)", typ, types)
		}
	}
	if types["relationship"] < 2*1500 {
		t.Errorf("%d relationships, want at least 2 per indicator", types["relationship"])
	}
}

func TestFeedIncrementalModifyRevokeAdd(t *testing.T) {
	now := time.Now()
	s, hs := newTestServer(t, Options{Now: func() time.Time { return now }})
	_, cur := pull(t, hs, "/v2/inthreat/", "&match[type]=indicator", "", 500)
	// Nothing new: an empty page and the same cursor.
	items, cur2 := pull(t, hs, "/v2/inthreat/", "&match[type]=indicator", cur, 500)
	if len(items) != 0 || cur2 != cur {
		t.Fatalf("caught-up pull: %d items, cursor %q -> %q", len(items), cur, cur2)
	}
	ids := s.IndicatorIDs()
	mod, err := s.Modify(ids[3], func(o map[string]any) { o["confidence"] = 11 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Revoke(ids[7]); err != nil {
		t.Fatal(err)
	}
	added, err := s.AddIndicator("[domain-name:value = 'added.example']", "added.example", time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	items, cur3 := pull(t, hs, "/v2/inthreat/", "&match[type]=indicator", cur, 500)
	if len(items) != 3 {
		t.Fatalf("incremental pull: %d items, want 3", len(items))
	}
	got := map[string]json.RawMessage{}
	for _, it := range items {
		id, _ := objID(t, it)
		got[id] = it
	}
	if !bytes.Equal(got[ids[3]], mod) || !strings.Contains(string(got[ids[7]]), `"revoked":true`) || got[added] == nil {
		t.Fatalf("incremental items wrong: %s", items)
	}
	var m struct{ Modified time.Time }
	json.Unmarshal(mod, &m)
	if !m.Modified.After(now.Add(-time.Second)) {
		t.Errorf("modified not bumped: %v", m.Modified)
	}
	// include_revoked=false hides the revocation.
	items, _ = pull(t, hs, "/v2/inthreat/", "&match[type]=indicator&include_revoked=False", cur, 500)
	if len(items) != 2 {
		t.Fatalf("include_revoked=false: %d items, want 2", len(items))
	}
	// skip_expired drops an indicator expired by Expire.
	if _, err := s.Expire(ids[9]); err != nil {
		t.Fatal(err)
	}
	items, _ = pull(t, hs, "/v2/inthreat/", "&match[type]=indicator&skip_expired=true", cur3, 500)
	if len(items) != 0 {
		t.Fatalf("skip_expired: %d items, want 0", len(items))
	}
	items, _ = pull(t, hs, "/v2/inthreat/", "&match[type]=indicator", cur3, 500)
	if len(items) != 1 {
		t.Fatalf("expired pull: %d items, want 1", len(items))
	}
}

func TestFeedModifiedAfterAndClientCursor(t *testing.T) {
	_, hs := newTestServer(t, Options{})
	all, _ := pull(t, hs, "/v2/inthreat/", "&match[type]=indicator", "", 2000)
	var mid time.Time
	{
		var m struct{ Modified time.Time }
		json.Unmarshal(all[len(all)/2], &m)
		mid = m.Modified
	}
	q := "&match[type]=indicator&modified_after=" + url.QueryEscape(mid.Format(time.RFC3339Nano))
	after, _ := pull(t, hs, "/v2/inthreat/", q, "", 2000)
	for _, it := range after {
		var m struct{ Modified time.Time }
		json.Unmarshal(it, &m)
		if !m.Modified.After(mid) {
			t.Fatalf("modified_after returned %v <= %v", m.Modified, mid)
		}
	}
	if len(after) == 0 || len(after) >= len(all) {
		t.Fatalf("modified_after kept %d of %d", len(after), len(all))
	}
	// OpenCTI's hand-made cursor: base64 of a timestamp with "+00:00Z".
	c := base64.StdEncoding.EncodeToString([]byte(mid.Format("2006-01-02T15:04:05.999999") + "+00:00Z"))
	fromCursor, _ := pull(t, hs, "/v2/inthreat/", "&match[type]=indicator", c, 2000)
	if len(fromCursor) < len(after) {
		t.Fatalf("client cursor gave %d, modified_after %d", len(fromCursor), len(after))
	}
}

func TestFeedErrors(t *testing.T) {
	_, hs := newTestServer(t, Options{})
	cases := []struct {
		path string
		code int
	}{
		{"/v2/inthreat/collections/" + DefaultFeedID + "/objects?limit=0", 400},
		{"/v2/inthreat/collections/" + DefaultFeedID + "/objects?limit=abc", 400},
		{"/v2/inthreat/collections/" + DefaultFeedID + "/objects?cursor=%25%25", 400},
		{"/v2/inthreat/collections/" + DefaultFeedID + "/objects?include_revoked=maybe", 400},
		{"/v2/inthreat/collections/00000000-0000-0000-0000-000000000000/objects", 403},
		{"/v2/inthreat/nothing", 404},
		{"/elsewhere", 404},
	}
	for _, c := range cases {
		code, _, body := get(t, hs, c.path, nil)
		if code != c.code {
			t.Errorf("%s: %d %s, want %d", c.path, code, body, c.code)
		}
		var e struct{ Message, Code string }
		if json.Unmarshal(body, &e) != nil || e.Message == "" {
			t.Errorf("%s: error body %s is not {message, code}", c.path, body)
		}
	}
}

func TestAuth(t *testing.T) {
	_, hs := newTestServer(t, Options{})
	path := hs.URL + "/v2/inthreat/collections/" + DefaultFeedID + "/objects?limit=1"
	for name, auth := range map[string]string{
		"none":      "",
		"wrong":     "Bearer nope",
		"basic bad": "Basic " + base64.StdEncoding.EncodeToString([]byte("api:nope")),
	} {
		req, _ := http.NewRequest("GET", path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s: %d, want 401", name, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", path, nil)
	req.SetBasicAuth("anyone", testKey)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("basic auth with the key: %d", resp.StatusCode)
	}
}
