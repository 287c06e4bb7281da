package intelserver

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

const taxiiAccept = "application/taxii+json;version=2.1"

func TestTAXIIEndpoints(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	h := map[string]string{"Accept": taxiiAccept}
	for _, p := range []string{"taxii2/", "taxii/"} {
		code, hdr, body := get(t, hs, "/api/v2/inthreat/taxii-server/"+p, h)
		var d struct {
			APIRoots []string `json:"api_roots"`
		}
		if code != 200 || json.Unmarshal(body, &d) != nil || len(d.APIRoots) != 1 || !strings.HasSuffix(d.APIRoots[0], "/api/v2/inthreat/taxii-server/") {
			t.Fatalf("discovery %s: %d %s", p, code, body)
		}
		if hdr.Get("Content-Type") != taxiiAccept {
			t.Fatalf("content type %q", hdr.Get("Content-Type"))
		}
	}
	code, _, body := get(t, hs, "/api/v2/inthreat/taxii-server/", h)
	if code != 200 || !strings.Contains(string(body), "version=2.1") {
		t.Fatalf("api root: %d %s", code, body)
	}
	code, _, body = get(t, hs, "/api/v2/inthreat/taxii-server/collections/", h)
	if code != 200 || !strings.Contains(string(body), DefaultFeedID) {
		t.Fatalf("collections: %d %s", code, body)
	}
	if code, _, _ = get(t, hs, "/api/v2/inthreat/taxii-server/collections/", map[string]string{"Accept": "text/html"}); code != 406 {
		t.Fatalf("wrong Accept: %d, want 406", code)
	}
	// Page through the indicators; "next" is always sent.
	next := ""
	var n int
	var lastAdded time.Time
	for {
		q := url.Values{"limit": {"333"}, "match[type]": {"indicator"}}
		if next != "" {
			q.Set("next", next)
		}
		code, hdr, body := get(t, hs, "/api/v2/inthreat/taxii-server/collections/"+DefaultFeedID+"/objects/?"+q.Encode(), h)
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if code != 200 || json.Unmarshal(body, &env) != nil {
			t.Fatalf("objects: %d %.200s", code, body)
		}
		if env.Next == "" {
			t.Fatal("no next")
		}
		n += len(env.Objects)
		if len(env.Objects) > 0 {
			first, _ := time.Parse(time.RFC3339Nano, hdr.Get("X-TAXII-Date-Added-First"))
			last, err := time.Parse(time.RFC3339Nano, hdr.Get("X-TAXII-Date-Added-Last"))
			if err != nil || first.Before(lastAdded) || last.Before(first) {
				t.Fatalf("date added headers %q %q", hdr.Get("X-TAXII-Date-Added-First"), hdr.Get("X-TAXII-Date-Added-Last"))
			}
			lastAdded = last
		}
		next = env.Next
		if !env.More {
			break
		}
	}
	if n != len(s.Indicators()) {
		t.Fatalf("TAXII gave %d indicators, want %d", n, len(s.Indicators()))
	}
	// added_after from the last header gives nothing more.
	q := url.Values{"added_after": {lastAdded.Format(time.RFC3339Nano)}, "match[type]": {"indicator"}}
	_, _, body = get(t, hs, "/api/v2/inthreat/taxii-server/collections/"+DefaultFeedID+"/objects/?"+q.Encode(), h)
	if strings.Contains(string(body), `"objects"`) {
		t.Fatalf("added_after the last object returned objects: %.200s", body)
	}
}
