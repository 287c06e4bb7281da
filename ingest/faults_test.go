package ingest_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
	"github.com/indicator-matcher/matcher/ingest/store"
)

var (
	cleanOnce   sync.Once
	cleanDigest string
)

// faultFreeDigest is the digest of a REST sync without faults.
func faultFreeDigest(t *testing.T) string {
	cleanOnce.Do(func() {
		_, hs := standIn(t, intelserver.FaultPlan{})
		st := openStore(t, "")
		if _, _, err := syncOnce(t, st, restSource(t, client(t, hs.URL, nil), 200)); err != nil {
			t.Fatal(err)
		}
		cleanDigest = digest(t, st)
	})
	if cleanDigest == "" {
		t.Fatal("no fault-free digest")
	}
	return cleanDigest
}

// TestFaultsSurvived syncs through every transient fault kind, over REST
// and TAXII, and checks that the store ends identical to a fault-free one.
func TestFaultsSurvived(t *testing.T) {
	want := faultFreeDigest(t)
	kinds := []intelserver.FaultKind{
		intelserver.FaultThrottle, intelserver.FaultThrottleRetryAfter, intelserver.Fault500, intelserver.Fault502,
		intelserver.Fault503, intelserver.FaultSlow, intelserver.FaultDrop, intelserver.FaultTruncate, intelserver.FaultInvalidJSON,
	}
	for _, kind := range kinds {
		for _, proto := range []string{"rest", "taxii"} {
			t.Run(string(kind)+"/"+proto, func(t *testing.T) {
				t.Parallel()
				rule := intelserver.FaultRule{Kind: kind, Every: 2, Max: 4}
				if kind == intelserver.FaultThrottleRetryAfter {
					rule.Max = 2 // each costs a second
				}
				s, hs := standIn(t, intelserver.FaultPlan{Rules: []intelserver.FaultRule{rule}, SlowDelay: 300 * time.Millisecond, RetryAfter: time.Second})
				c := client(t, hs.URL+"/api/", func(cfg *intel.Config) {
					cfg.RequestTimeout = 150 * time.Millisecond
					// No connection reuse, so that the transport's own
					// retry of dropped idempotent requests does not hide
					// the fault from the client.
					cfg.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				})
				st := openStore(t, "")
				if proto == "rest" {
					if _, _, err := syncOnce(t, st, restSource(t, c, 200)); err != nil {
						t.Fatal(err)
					}
				} else {
					src, _ := newTAXII(t, c, 200)
					if _, _, err := syncOnce(t, st, src); err != nil {
						t.Fatal(err)
					}
				}
				if n := s.Counts()["fault:"+string(kind)]; n != int64(rule.Max) {
					t.Fatalf("%d faults injected, want %d", n, rule.Max)
				}
				if c.Stats().Retries < int64(rule.Max) {
					t.Fatalf("client stats %+v", c.Stats())
				}
				if digest(t, st) != want {
					t.Fatal("store differs from the fault-free sync")
				}
			})
		}
	}
}

// TestAuthFailureThenResume: a 401 or 403 in the middle of a sync stops it
// with a clear, unretried error that names the permission; the pages
// stored before stay, and a later run resumes to the same final store.
func TestAuthFailureThenResume(t *testing.T) {
	want := faultFreeDigest(t)
	for kind, sentinel := range map[intelserver.FaultKind]error{intelserver.FaultUnauthorized: intel.ErrUnauthorized, intelserver.FaultForbidden: intel.ErrForbidden} {
		t.Run(string(kind), func(t *testing.T) {
			s, hs := standIn(t, intelserver.FaultPlan{Rules: []intelserver.FaultRule{{Kind: kind, Every: 1, Skip: 3, Max: 1}}})
			c := client(t, hs.URL, nil)
			st := openStore(t, "")
			p, _, err := syncOnce(t, st, restSource(t, c, 200))
			if !errors.Is(err, sentinel) {
				t.Fatalf("%v", err)
			}
			if kind == intelserver.FaultForbidden && !strings.Contains(err.Error(), "INTHREAT_READ_OBJECTS") {
				t.Fatalf("403 error does not name the permission: %v", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatal("error holds the key")
			}
			if p.Pages != 3 || c.Stats().Retries != 0 {
				t.Fatalf("%+v %+v", p, c.Stats())
			}
			cur, _ := st.Cursor("rest", intel.DefaultFeedID)
			if cur.Value == "" || cur.CaughtUp {
				t.Fatalf("cursor %+v", cur)
			}
			var stored int
			st.ForEachRecord(func(store.Record) error { stored++; return nil })
			if stored != 600 {
				t.Fatalf("%d stored before the failure, want 600", stored)
			}
			if _, _, err := syncOnce(t, st, restSource(t, c, 200)); err != nil {
				t.Fatal(err)
			}
			if digest(t, st) != want {
				t.Fatal("resumed store differs from the fault-free sync")
			}
			if s.Counts()["feed"] != 3+1+8 {
				t.Fatalf("feed requests %d: the resumed run did not start at the saved cursor", s.Counts()["feed"])
			}
		})
	}
}
