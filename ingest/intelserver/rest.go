package intelserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxID sorts after every id: pos{t, maxID} is just after every object at t.
const maxID = "\xff"

// feedQuery is a parsed feed or TAXII objects request.
type feedQuery struct {
	start          pos
	hasStart       bool
	limit          int
	types          map[string]bool
	ids            map[string]bool
	skipExpired    bool
	includeRevoked bool
}

func (s *Server) keepFunc(q *feedQuery, now time.Time) func(*entry) bool {
	return func(e *entry) bool {
		if q.types != nil && !q.types[e.typ] {
			return false
		}
		if q.ids != nil && !q.ids[e.id] {
			return false
		}
		if e.revoked && !q.includeRevoked {
			return false
		}
		if q.skipExpired && e.typ == "indicator" && !e.validUntil.IsZero() && !now.Before(e.validUntil) {
			return false
		}
		return true
	}
}

// parseList reads a filter given comma-separated, repeated, or both.
func parseList(vals []string) map[string]bool {
	if len(vals) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, v := range vals {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out[t] = true
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parseBool reads the first value case-insensitively (Python clients send
// True/False). The first of repeated values wins, as with Flask.
func parseBool(vals []string, def bool) (bool, bool) {
	if len(vals) == 0 || vals[0] == "" {
		return def, true
	}
	switch strings.ToLower(vals[0]) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

func (s *Server) parseLimit(v string) (int, bool) {
	if v == "" {
		return s.opts.DefaultLimit, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > s.opts.MaxLimit {
		return 0, false
	}
	return n, true
}

func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request, _, rest string) {
	feed := strings.Split(rest, "/")[1]
	if !s.feedKnown(feed) {
		apiError(w, http.StatusForbidden, "You are not allowed to access this feed", "F403")
		return
	}
	qv := r.URL.Query()
	q := feedQuery{types: parseList(qv["match[type]"])}
	var ok bool
	if q.limit, ok = s.parseLimit(qv.Get("limit")); !ok {
		apiError(w, http.StatusBadRequest, "Invalid limit: must be between 1 and "+strconv.Itoa(s.opts.MaxLimit), "V400")
		return
	}
	if q.skipExpired, ok = parseBool(qv["skip_expired"], false); !ok {
		apiError(w, http.StatusBadRequest, "Invalid skip_expired", "V400")
		return
	}
	if q.includeRevoked, ok = parseBool(qv["include_revoked"], true); !ok {
		apiError(w, http.StatusBadRequest, "Invalid include_revoked", "V400")
		return
	}
	cursor := qv.Get("cursor")
	switch ma := qv.Get("modified_after"); {
	case cursor != "":
		p, err := decodeCursor(cursor)
		if err != nil {
			apiError(w, http.StatusBadRequest, "Invalid cursor", "C400")
			return
		}
		q.start, q.hasStart = p, true
	case ma != "":
		t, err := parseLooseTime(ma)
		if err != nil {
			apiError(w, http.StatusBadRequest, "Invalid modified_after", "V400")
			return
		}
		q.start, q.hasStart = pos{t, maxID}, true
	}
	now := s.opts.Now()
	s.st.mu.RLock()
	items, last, _ := s.st.scan(q.start, q.limit, s.keepFunc(&q, now))
	bodies := bodiesOf(items)
	s.st.mu.RUnlock()

	var next any // nil: null
	switch {
	case len(items) == q.limit:
		next = encodeCursor(last)
	case s.opts.NullCursorAtEnd:
	case cursor != "" && last == q.start:
		next = cursor // nothing new: the cursor received
	case last != q.start || q.hasStart:
		next = encodeCursor(last)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"items": [`)
	for i, b := range bodies {
		if i > 0 {
			buf.WriteString(", ")
		}
		buf.Write(b)
	}
	nb, _ := json.Marshal(next)
	buf.WriteString(`], "next_cursor": `)
	buf.Write(nb)
	buf.WriteString("}")
	writeRaw(w, http.StatusOK, "application/json", buf.Bytes(), nil)
}

func bodiesOf(es []*entry) [][]byte {
	out := make([][]byte, len(es))
	for i, e := range es {
		out[i] = e.body()
	}
	return out
}

func writeRaw(w http.ResponseWriter, status int, ctype string, body []byte, hdr http.Header) {
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// lookup returns the current version of each id that exists (and, when
// typ is not empty, has that type).
func (s *Server) lookup(ids []string, typ string) [][]byte {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	var out [][]byte
	for _, id := range ids {
		if e := s.st.byID[id]; e != nil && (typ == "" || e.typ == typ) {
			out = append(out, e.body())
		}
	}
	return out
}

func writeItems(w http.ResponseWriter, bodies [][]byte, hasMore bool) {
	var buf bytes.Buffer
	buf.WriteString(`{"items": [`)
	buf.Write(bytes.Join(bodies, []byte(", ")))
	buf.WriteString(`], "has_more": ` + strconv.FormatBool(hasMore) + `}`)
	writeRaw(w, http.StatusOK, "application/json", buf.Bytes(), nil)
}

// handleObject serves objects/{id} as {"data": obj} and objects/{a,b} as
// {"items": [...]}.
func (s *Server) handleObject(w http.ResponseWriter, _ *http.Request, _, rest string) {
	s.serveByID(w, rest, "")
}

func (s *Server) handleRelationship(w http.ResponseWriter, _ *http.Request, _, rest string) {
	s.serveByID(w, rest, "relationship")
}

func (s *Server) serveByID(w http.ResponseWriter, rest, typ string) {
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")[1]
	seg, _ = url.PathUnescape(seg)
	ids := strings.Split(seg, ",")
	bodies := s.lookup(ids, typ)
	if len(ids) > 1 {
		writeItems(w, bodies, false)
		return
	}
	if len(bodies) == 0 {
		apiError(w, http.StatusNotFound, "Object not found", "O404")
		return
	}
	var buf bytes.Buffer
	buf.WriteString(`{"data": `)
	buf.Write(bodies[0])
	buf.WriteString("}")
	writeRaw(w, http.StatusOK, "application/json", buf.Bytes(), nil)
}

// handleObjectList serves objects?match[id]=a,b&match[type]=…&limit&offset.
func (s *Server) handleObjectList(w http.ResponseWriter, r *http.Request, _, _ string) {
	qv := r.URL.Query()
	limit := 20 // a third-party report saw 20 items by default
	if v := qv.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.opts.MaxLimit {
			apiError(w, http.StatusBadRequest, "Invalid limit", "V400")
			return
		}
		limit = n
	}
	offset, err := strconv.Atoi(qv.Get("offset"))
	if qv.Get("offset") != "" && (err != nil || offset < 0) {
		apiError(w, http.StatusBadRequest, "Invalid offset", "V400")
		return
	}
	q := feedQuery{types: parseList(qv["match[type]"]), ids: parseList(qv["match[id]"]), includeRevoked: true}
	keep := s.keepFunc(&q, s.opts.Now())
	s.st.mu.RLock()
	var bodies [][]byte
	seen, more := 0, false
	for _, e := range s.st.list {
		if e.dead || !keep(e) {
			continue
		}
		seen++
		if seen <= offset {
			continue
		}
		if len(bodies) == limit {
			more = true
			break
		}
		bodies = append(bodies, e.body())
	}
	s.st.mu.RUnlock()
	writeItems(w, bodies, more)
}

// handleIndicators serves indicators?value=&type=.
func (s *Server) handleIndicators(w http.ResponseWriter, r *http.Request, _, _ string) {
	ids, ok := s.findIndicators(w, r)
	if !ok {
		return
	}
	writeItems(w, s.lookup(ids, "indicator"), false)
}

// handleIndicatorContext serves indicators/context?type=&value=: one
// context bundle per matching indicator; none is 200 with no items.
func (s *Server) handleIndicatorContext(w http.ResponseWriter, r *http.Request, _, _ string) {
	ids, ok := s.findIndicators(w, r)
	if !ok {
		return
	}
	var bundles [][]byte
	for _, id := range ids {
		if b, ok := s.contextBundle(id); ok {
			bundles = append(bundles, b)
		}
	}
	writeItems(w, bundles, false)
}

var lookupTypes = map[string]bool{
	"ipv4-addr": true, "ipv6-addr": true, "domain-name": true, "url": true,
	"file": true, "filename": true, "email-addr": true,
}

func (s *Server) findIndicators(w http.ResponseWriter, r *http.Request) ([]string, bool) {
	typ, value := r.URL.Query().Get("type"), r.URL.Query().Get("value")
	if value == "" || !lookupTypes[typ] {
		apiError(w, http.StatusBadRequest, "Parameters type (ipv4-addr, ipv6-addr, domain-name, url, file, filename, email-addr) and value are required", "V400")
		return nil, false
	}
	key := observable{typ, normalizeValue(typ, value)}
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	var ids []string
	for _, id := range s.st.index[key] {
		e := s.st.byID[id]
		if e == nil {
			continue
		}
		for _, o := range observables(e.pattern) { // the pattern may have changed
			if o == key {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids, true
}

// handleObjectRelationships serves objects/{id}/relationships as
// {"items": [{"relationship", "related_object"}]}.
func (s *Server) handleObjectRelationships(w http.ResponseWriter, r *http.Request, _, rest string) {
	id, _ := url.PathUnescape(strings.Split(rest, "/")[1])
	s.st.mu.RLock()
	if s.st.byID[id] == nil {
		s.st.mu.RUnlock()
		apiError(w, http.StatusNotFound, "Object not found", "O404")
		return
	}
	var buf bytes.Buffer
	buf.WriteString(`{"items": [`)
	n := 0
	for _, rid := range s.st.rels[id] {
		re := s.st.byID[rid]
		if re == nil {
			continue
		}
		src, tgt := re.relEnds()
		other := tgt
		if tgt == id {
			other = src
		}
		oe := s.st.byID[other]
		if n > 0 {
			buf.WriteString(", ")
		}
		n++
		buf.WriteString(`{"relationship": `)
		buf.Write(re.body())
		buf.WriteString(`, "related_object": `)
		if oe != nil {
			buf.Write(oe.body())
		} else {
			buf.WriteString("null")
		}
		buf.WriteString("}")
	}
	s.st.mu.RUnlock()
	buf.WriteString(`], "has_more": false}`)
	writeRaw(w, http.StatusOK, "application/json", buf.Bytes(), nil)
}

func (s *Server) handleContext(w http.ResponseWriter, _ *http.Request, _, rest string) {
	id, _ := url.PathUnescape(strings.Split(rest, "/")[1])
	b, ok := s.contextBundle(id)
	if !ok {
		apiError(w, http.StatusNotFound, "Object not found", "O404")
		return
	}
	writeRaw(w, http.StatusOK, "application/json", b, nil)
}
