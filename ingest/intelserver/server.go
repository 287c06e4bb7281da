// Package intelserver is a local stand-in for the SEKOIA.IO Intelligence
// Center API, for tests and demos where the real API cannot be reached. It
// serves a Dataset with the documented and observed behaviour of the REST
// feed (collections/{feed}/objects with limit, cursor, match[type],
// modified_after, skip_expired, include_revoked), objects/{id},
// objects/{id}/context, objects/{id}/relationships, relationships/{id},
// indicators and indicators/context, and TAXII 2.1 (discovery, API root,
// collections, objects). Paths are served under /v2/inthreat/ and
// /api/v2/inthreat/.
//
// A Server is an http.Handler. Tests change its data at run time (Modify,
// Revoke, Expire, Put, AddIndicator): every change gets a new feed position
// after all existing ones, so incremental pulls see it. Faults (throttling,
// server errors, slow answers, dropped connections, truncated or invalid
// bodies, auth failures) are injected per a FaultPlan. Requests are counted
// per endpoint (Counts, and GET /debug/intel/requests).
//
// All methods are safe for concurrent use.
package intelserver

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultFeedID is the feed every community has.
const DefaultFeedID = "d6092c37-d8d7-45c3-8aff-c4dc26030608"

// Options configures a Server.
type Options struct {
	// Keys are the accepted API keys. Empty accepts any non-empty key.
	Keys []string
	// Feeds are the feed (and TAXII collection) ids served; each serves the
	// whole dataset. Default: DefaultFeedID. Others get 403.
	Feeds []string
	// Now is the server clock. Default time.Now.
	Now func() time.Time
	// Faults is the initial fault plan (see SetFaults).
	Faults FaultPlan
	// NullCursorAtEnd sends "next_cursor": null on the last page of a pull
	// instead of the position, as some consumers' code expects possible.
	NullCursorAtEnd bool
	// DefaultLimit (100) and MaxLimit (10000) bound the page size; a larger
	// limit is a 400.
	DefaultLimit, MaxLimit int
	// Logger receives one line per injected fault. Default: discard.
	Logger *slog.Logger
}

// Server is the stand-in API. Create it with New.
type Server struct {
	st     *state
	opts   Options
	log    *slog.Logger
	faults faultState

	countMu sync.Mutex
	counts  map[string]*atomic.Int64
}

// New makes a Server that serves ds.
func New(ds *Dataset, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Feeds) == 0 {
		opts.Feeds = []string{DefaultFeedID}
	}
	if opts.DefaultLimit <= 0 {
		opts.DefaultLimit = 100
	}
	if opts.MaxLimit <= 0 {
		opts.MaxLimit = 10000
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{st: newState(ds, opts.Now), opts: opts, log: log, counts: map[string]*atomic.Int64{}}
	s.SetFaults(opts.Faults)
	return s
}

// Counts returns the number of requests per endpoint since the start or
// the last ResetCounts. Endpoint names: feed, objects, object,
// object-context, object-relationships, relationship, indicators,
// indicator-context, taxii-discovery, taxii-api-root, taxii-collections,
// taxii-collection, taxii-objects, unknown; injected faults count as
// "fault:<kind>".
func (s *Server) Counts() map[string]int64 {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	out := make(map[string]int64, len(s.counts))
	for k, v := range s.counts {
		out[k] = v.Load()
	}
	return out
}

// ResetCounts zeroes the request counters.
func (s *Server) ResetCounts() {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	clear(s.counts)
}

func (s *Server) count(name string) {
	s.countMu.Lock()
	c := s.counts[name]
	if c == nil {
		c = new(atomic.Int64)
		s.counts[name] = c
	}
	s.countMu.Unlock()
	c.Add(1)
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/debug/intel/requests" {
		writeJSON(w, http.StatusOK, s.Counts())
		return
	}
	prefix, rest, ok := splitAPI(r.URL.Path)
	if !ok {
		s.count("unknown")
		apiError(w, http.StatusNotFound, "Not found", "N404")
		return
	}
	name, h := s.route(rest)
	s.count(name)
	if s.injectFault(w, r, name) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		apiError(w, http.StatusMethodNotAllowed, "Method not allowed", "M405")
		return
	}
	if !s.authorized(r) {
		apiError(w, http.StatusUnauthorized, "The token is invalid", "T300")
		return
	}
	h(w, r, prefix, rest)
}

// splitAPI strips /api/v2/inthreat/ or /v2/inthreat/.
func splitAPI(p string) (prefix, rest string, ok bool) {
	for _, pre := range []string{"/api/v2/inthreat/", "/v2/inthreat/"} {
		if strings.HasPrefix(p, pre) {
			return pre, strings.TrimPrefix(p, pre), true
		}
	}
	return "", "", false
}

type handler func(w http.ResponseWriter, r *http.Request, prefix, rest string)

func (s *Server) route(rest string) (string, handler) {
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "collections" && parts[2] == "objects":
		return "feed", s.handleFeed
	case len(parts) == 1 && parts[0] == "objects":
		return "objects", s.handleObjectList
	case len(parts) == 2 && parts[0] == "objects":
		return "object", s.handleObject
	case len(parts) == 3 && parts[0] == "objects" && parts[2] == "context":
		return "object-context", s.handleContext
	case len(parts) == 3 && parts[0] == "objects" && parts[2] == "relationships":
		return "object-relationships", s.handleObjectRelationships
	case len(parts) == 2 && parts[0] == "relationships":
		return "relationship", s.handleRelationship
	case len(parts) == 1 && parts[0] == "indicators":
		return "indicators", s.handleIndicators
	case len(parts) == 2 && parts[0] == "indicators" && parts[1] == "context":
		return "indicator-context", s.handleIndicatorContext
	case parts[0] == "taxii-server":
		return s.taxiiRoute(parts[1:])
	}
	return "unknown", func(w http.ResponseWriter, _ *http.Request, _, _ string) {
		apiError(w, http.StatusNotFound, "Not found", "N404")
	}
}

// authorized accepts "Bearer <key>" or Basic with the key as password.
func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	var key string
	switch {
	case strings.HasPrefix(h, "Bearer "):
		key = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	case strings.HasPrefix(h, "Basic "):
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(h, "Basic ")))
		if err != nil {
			return false
		}
		_, key, _ = strings.Cut(string(b), ":")
	}
	if key == "" {
		return false
	}
	if len(s.opts.Keys) == 0 {
		return true
	}
	for _, k := range s.opts.Keys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			return true
		}
	}
	return false
}

func (s *Server) feedKnown(id string) bool {
	for _, f := range s.opts.Feeds {
		if f == id {
			return true
		}
	}
	return false
}

func apiError(w http.ResponseWriter, status int, msg, code string) {
	writeJSON(w, status, map[string]string{"message": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
