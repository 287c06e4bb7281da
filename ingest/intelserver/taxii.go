package intelserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

const taxiiType = "application/taxii+json;version=2.1"

// taxiiRoute routes the paths under taxii-server/.
func (s *Server) taxiiRoute(parts []string) (string, handler) {
	switch {
	case len(parts) == 0:
		return "taxii-api-root", s.taxiiAPIRoot
	case len(parts) == 1 && (parts[0] == "taxii2" || parts[0] == "taxii"):
		return "taxii-discovery", s.taxiiDiscovery
	case len(parts) == 1 && parts[0] == "collections":
		return "taxii-collections", s.taxiiCollections
	case len(parts) == 2 && parts[0] == "collections":
		return "taxii-collection", s.taxiiCollections
	case len(parts) == 3 && parts[0] == "collections" && parts[2] == "objects":
		return "taxii-objects", s.taxiiObjects
	}
	return "unknown", func(w http.ResponseWriter, _ *http.Request, _, _ string) {
		taxiiError(w, http.StatusNotFound, "Not found")
	}
}

// acceptsTAXII checks the Accept header: TAXII 2.1 media type (with or
// without the version parameter, which Sekoia's sample omits) or a
// wildcard; anything else is a 406 as the specification says.
func acceptsTAXII(r *http.Request) bool {
	a := r.Header.Get("Accept")
	if a == "" {
		return true
	}
	for _, part := range strings.Split(a, ",") {
		mt := strings.ToLower(strings.TrimSpace(part))
		switch {
		case strings.HasPrefix(mt, "*/*"), strings.HasPrefix(mt, "application/*"):
			return true
		case strings.HasPrefix(mt, "application/taxii+json"):
			if !strings.Contains(mt, "version=") || strings.Contains(strings.ReplaceAll(mt, " ", ""), "version=2.1") {
				return true
			}
		}
	}
	return false
}

func taxiiError(w http.ResponseWriter, status int, title string) {
	b, _ := json.Marshal(map[string]string{"title": title, "http_status": http.StatusText(status)})
	writeRaw(w, status, taxiiType, b, nil)
}

func taxiiJSON(w http.ResponseWriter, r *http.Request, v any, hdr http.Header) {
	if !acceptsTAXII(r) {
		taxiiError(w, http.StatusNotAcceptable, "The Accept header must allow "+taxiiType)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		taxiiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeRaw(w, http.StatusOK, taxiiType, b, hdr)
}

func apiRootURL(r *http.Request, prefix string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + prefix + "taxii-server/"
}

func (s *Server) taxiiDiscovery(w http.ResponseWriter, r *http.Request, prefix, _ string) {
	root := apiRootURL(r, prefix)
	taxiiJSON(w, r, map[string]any{
		"title":       "SEKOIA.IO Intelligence Center TAXII server (local stand-in)",
		"description": "TAXII 2.1 access to the Intelligence Center feeds; collection ids are feed ids",
		"default":     root,
		"api_roots":   []string{root},
	}, nil)
}

func (s *Server) taxiiAPIRoot(w http.ResponseWriter, r *http.Request, _, _ string) {
	taxiiJSON(w, r, map[string]any{
		"title":              "Intelligence Center",
		"versions":           []string{taxiiType},
		"max_content_length": 100 << 20,
	}, nil)
}

func (s *Server) collection(id string) map[string]any {
	title := "Feed " + id
	if id == DefaultFeedID {
		title = "Default feed"
	}
	return map[string]any{
		"id": id, "title": title, "can_read": true, "can_write": false,
		"media_types": []string{"application/stix+json;version=2.1"},
	}
}

func (s *Server) taxiiCollections(w http.ResponseWriter, r *http.Request, _, rest string) {
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(parts) == 3 {
		if !s.feedKnown(parts[2]) {
			taxiiError(w, http.StatusNotFound, "Collection not found")
			return
		}
		taxiiJSON(w, r, s.collection(parts[2]), nil)
		return
	}
	var cols []map[string]any
	for _, f := range s.opts.Feeds {
		cols = append(cols, s.collection(f))
	}
	taxiiJSON(w, r, map[string]any{"collections": cols}, nil)
}

func (s *Server) taxiiObjects(w http.ResponseWriter, r *http.Request, _, rest string) {
	if !acceptsTAXII(r) {
		taxiiError(w, http.StatusNotAcceptable, "The Accept header must allow "+taxiiType)
		return
	}
	col := strings.Split(rest, "/")[2]
	if !s.feedKnown(col) {
		taxiiError(w, http.StatusNotFound, "Collection not found")
		return
	}
	qv := r.URL.Query()
	q := feedQuery{types: parseList(qv["match[type]"]), ids: parseList(qv["match[id]"]), includeRevoked: true}
	var ok bool
	if q.limit, ok = s.parseLimit(qv.Get("limit")); !ok {
		taxiiError(w, http.StatusBadRequest, "Invalid limit")
		return
	}
	if sv := parseList(qv["match[spec_version]"]); sv != nil && !sv["2.1"] {
		q.limit = 0 // every object here is 2.1
	}
	next := qv.Get("next")
	switch aa := qv.Get("added_after"); {
	case next != "":
		p, err := decodeCursor(next)
		if err != nil {
			taxiiError(w, http.StatusBadRequest, "Invalid next")
			return
		}
		q.start, q.hasStart = p, true
	case aa != "":
		t, err := parseLooseTime(aa)
		if err != nil {
			taxiiError(w, http.StatusBadRequest, "Invalid added_after")
			return
		}
		q.start, q.hasStart = pos{t, maxID}, true
	}
	var items []*entry
	var last pos
	more := false
	s.st.mu.RLock()
	if q.limit > 0 {
		items, last, more = s.st.scan(q.start, q.limit, s.keepFunc(&q, s.opts.Now()))
	}
	bodies := bodiesOf(items)
	s.st.mu.RUnlock()

	hdr := http.Header{}
	if len(items) > 0 {
		hdr.Set("X-TAXII-Date-Added-First", items[0].updated.UTC().Format(time.RFC3339Nano))
		hdr.Set("X-TAXII-Date-Added-Last", items[len(items)-1].updated.UTC().Format(time.RFC3339Nano))
	}
	// Like Sekoia's server (as its documented client reads it), "next" is
	// sent even when more is false, and works as an incremental cursor.
	var nextOut string
	switch {
	case next != "" && last == q.start:
		nextOut = next
	case last != q.start || q.hasStart:
		nextOut = encodeCursor(last)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"more": `)
	if more {
		buf.WriteString("true")
	} else {
		buf.WriteString("false")
	}
	if nextOut != "" {
		nb, _ := json.Marshal(nextOut)
		buf.WriteString(`, "next": `)
		buf.Write(nb)
	}
	if len(bodies) > 0 {
		buf.WriteString(`, "objects": [`)
		buf.Write(bytes.Join(bodies, []byte(", ")))
		buf.WriteString("]")
	}
	buf.WriteString("}")
	writeRaw(w, http.StatusOK, taxiiType, buf.Bytes(), hdr)
}
