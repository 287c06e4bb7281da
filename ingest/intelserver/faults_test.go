package intelserver

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	r, err := ParseFault("503,every=3,skip=1,max=4,endpoints=feed+taxii-objects")
	if err != nil || r.Kind != Fault503 || r.Every != 3 || r.Skip != 1 || r.Max != 4 || len(r.Endpoints) != 2 {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err = ParseFault("slow,p=0.25"); err != nil || r.Prob != 0.25 || r.Every != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err = ParseFault("drop"); err != nil || r.Every != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"nope", "503,every", "503,p=2", "503,max=-1", "503,x=1"} {
		if _, err := ParseFault(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestFaultKinds checks the raw response of each kind.
func TestFaultKinds(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	path := hs.URL + "/v2/inthreat/collections/" + DefaultFeedID + "/objects?limit=50&match[type]=indicator"
	do := func() (*http.Response, []byte, error) {
		req, _ := http.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+testKey)
		// No connection reuse: the transport would silently retry a GET
		// dropped on a reused connection.
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	for _, kind := range FaultKinds {
		t.Run(string(kind), func(t *testing.T) {
			s.SetFaults(FaultPlan{Rules: []FaultRule{{Kind: kind, Every: 1, Max: 1, Endpoints: []string{"feed"}}}, SlowDelay: 150 * time.Millisecond, RetryAfter: 2 * time.Second})
			start := time.Now()
			resp, body, err := do()
			switch kind {
			case FaultDrop:
				if err == nil {
					t.Fatalf("drop: got a response %d", resp.StatusCode)
				}
			case FaultTruncate:
				if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("truncate: err %v", err)
				}
			case FaultInvalidJSON:
				if err != nil || resp.StatusCode != 200 || json.Valid(body) {
					t.Fatalf("invalid-json: %v %s", err, body)
				}
			case FaultSlow:
				if err != nil || resp.StatusCode != 200 || time.Since(start) < 150*time.Millisecond {
					t.Fatalf("slow: %v after %v", err, time.Since(start))
				}
			default:
				want := map[FaultKind]int{FaultThrottle: 429, FaultThrottleRetryAfter: 429, Fault500: 500, Fault502: 502, Fault503: 503, FaultUnauthorized: 401, FaultForbidden: 403}[kind]
				if err != nil || resp.StatusCode != want {
					t.Fatalf("%s: %v %v", kind, err, resp)
				}
				if ra := resp.Header.Get("Retry-After"); (kind == FaultThrottleRetryAfter) != (ra == "2") {
					t.Fatalf("Retry-After %q", ra)
				}
			}
			// Max=1: the next request is normal.
			resp, body, err = do()
			if err != nil || resp.StatusCode != 200 || !json.Valid(body) {
				t.Fatalf("after the fault: %v %v", err, resp)
			}
			if s.Counts()["fault:"+string(kind)] != 1 {
				t.Fatalf("fault count %v", s.Counts())
			}
		})
	}
}

func TestFaultEveryAndCounts(t *testing.T) {
	s, hs := newTestServer(t, Options{Faults: FaultPlan{Rules: []FaultRule{{Kind: Fault500, Every: 3, Skip: 1}}}})
	codes := ""
	for i := 0; i < 7; i++ {
		code, _, _ := get(t, hs, "/v2/inthreat/collections/"+DefaultFeedID+"/objects?limit=1", nil)
		codes += map[int]string{200: ".", 500: "x"}[code]
	}
	if codes != "...x..x" {
		t.Fatalf("pattern %q", codes)
	}
	code, _, body := get(t, hs, "/debug/intel/requests", nil)
	var counts map[string]int64
	if code != 200 || json.Unmarshal(body, &counts) != nil || counts["feed"] != 7 || counts["fault:500"] != 2 {
		t.Fatalf("counts %d %s", code, body)
	}
	s.ResetCounts()
	if len(s.Counts()) != 0 {
		t.Fatal("reset failed")
	}
	if !strings.Contains(string(body), "feed") {
		t.Fatal(string(body))
	}
}
