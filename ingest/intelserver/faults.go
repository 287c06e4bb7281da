package intelserver

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names an injected failure.
type FaultKind string

// The fault kinds.
const (
	FaultThrottle           FaultKind = "429"             // 429 without Retry-After
	FaultThrottleRetryAfter FaultKind = "429-retry-after" // 429 with Retry-After
	Fault500                FaultKind = "500"
	Fault502                FaultKind = "502" // an HTML page, as a proxy sends
	Fault503                FaultKind = "503"
	FaultSlow               FaultKind = "slow"         // answer after FaultPlan.SlowDelay
	FaultDrop               FaultKind = "drop"         // close the connection, no answer
	FaultTruncate           FaultKind = "truncate"     // send half the body, then close
	FaultInvalidJSON        FaultKind = "invalid-json" // 200 with a body that is not JSON
	FaultUnauthorized       FaultKind = "401"
	FaultForbidden          FaultKind = "403"
)

// FaultKinds lists every kind.
var FaultKinds = []FaultKind{
	FaultThrottle, FaultThrottleRetryAfter, Fault500, Fault502, Fault503, FaultSlow,
	FaultDrop, FaultTruncate, FaultInvalidJSON, FaultUnauthorized, FaultForbidden,
}

// FaultRule injects one kind of fault into matching requests.
type FaultRule struct {
	Kind FaultKind
	// Every injects into every Every-th matching request (1: all). When 0,
	// Prob is used.
	Every int
	// Prob is the probability of injecting into a matching request.
	Prob float64
	// Skip lets the first Skip matching requests through.
	Skip int
	// Max stops after Max injections (0: no bound).
	Max int
	// Endpoints limits the rule to these endpoint names (see
	// Server.Counts); empty means every API endpoint.
	Endpoints []string
}

// FaultPlan is the set of rules of a run.
type FaultPlan struct {
	Rules []FaultRule
	// Seed seeds the random choices of Prob rules.
	Seed uint64
	// SlowDelay is how long a slow answer waits. Default 2 s.
	SlowDelay time.Duration
	// RetryAfter is the Retry-After of 429-retry-after, in whole seconds
	// (rounded up). Default 1 s.
	RetryAfter time.Duration
}

// ParseFault parses a rule: "kind[,every=N][,p=F][,skip=N][,max=N]
// [,endpoints=a+b]". With neither every nor p, every request is hit.
func ParseFault(spec string) (FaultRule, error) {
	fields := strings.Split(spec, ",")
	r := FaultRule{Kind: FaultKind(strings.TrimSpace(fields[0]))}
	known := false
	for _, k := range FaultKinds {
		known = known || k == r.Kind
	}
	if !known {
		return r, fmt.Errorf("intelserver: unknown fault kind %q (known: %v)", r.Kind, FaultKinds)
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return r, fmt.Errorf("intelserver: fault %q: %q is not key=value", spec, f)
		}
		var err error
		switch k {
		case "every":
			r.Every, err = strconv.Atoi(v)
		case "p":
			r.Prob, err = strconv.ParseFloat(v, 64)
			if err == nil && (r.Prob < 0 || r.Prob > 1) {
				err = fmt.Errorf("probability outside 0..1")
			}
		case "skip":
			r.Skip, err = strconv.Atoi(v)
		case "max":
			r.Max, err = strconv.Atoi(v)
		case "endpoints":
			r.Endpoints = strings.Split(v, "+")
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return r, fmt.Errorf("intelserver: fault %q: %w", spec, err)
		}
	}
	if r.Every < 0 || r.Skip < 0 || r.Max < 0 {
		return r, fmt.Errorf("intelserver: fault %q: negative value", spec)
	}
	if r.Every == 0 && r.Prob == 0 {
		r.Every = 1
	}
	return r, nil
}

type faultState struct {
	mu       sync.Mutex
	plan     FaultPlan
	seen     []int
	injected []int
	rnd      *rand.Rand
}

// SetFaults replaces the fault plan and resets its counters. The zero
// FaultPlan injects nothing.
func (s *Server) SetFaults(p FaultPlan) {
	if p.SlowDelay <= 0 {
		p.SlowDelay = 2 * time.Second
	}
	if p.RetryAfter <= 0 {
		p.RetryAfter = time.Second
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.plan = p
	s.faults.seen = make([]int, len(p.Rules))
	s.faults.injected = make([]int, len(p.Rules))
	s.faults.rnd = rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
}

// pickFault decides whether a request to endpoint gets a fault.
func (s *Server) pickFault(endpoint string) (FaultKind, FaultPlan, bool) {
	f := &s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.plan.Rules {
		if len(r.Endpoints) > 0 && !contains(r.Endpoints, endpoint) {
			continue
		}
		if r.Max > 0 && f.injected[i] >= r.Max {
			continue
		}
		f.seen[i]++
		n := f.seen[i] - r.Skip
		if n <= 0 {
			continue
		}
		hit := false
		if r.Every > 0 {
			hit = n%r.Every == 0
		} else {
			hit = f.rnd.Float64() < r.Prob
		}
		if hit {
			f.injected[i]++
			return r.Kind, f.plan, true
		}
	}
	return "", FaultPlan{}, false
}

// injectFault applies a fault to the request, if the plan picks one. It
// reports whether the response has been handled.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, endpoint string) bool {
	kind, plan, ok := s.pickFault(endpoint)
	if !ok {
		return false
	}
	s.count("fault:" + string(kind))
	s.log.Info("intelserver: injecting fault", "kind", string(kind), "endpoint", endpoint)
	switch kind {
	case FaultThrottle:
		apiError(w, http.StatusTooManyRequests, "You have exceeded the rate limit. Wait before retrying. Add a delay between requests", "R429")
	case FaultThrottleRetryAfter:
		secs := int((plan.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		apiError(w, http.StatusTooManyRequests, "You have exceeded the rate limit. Wait before retrying. Add a delay between requests", "R429")
	case Fault500:
		apiError(w, http.StatusInternalServerError, "Internal server error", "S500")
	case Fault502:
		writeRaw(w, http.StatusBadGateway, "text/html", []byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"), nil)
	case Fault503:
		apiError(w, http.StatusServiceUnavailable, "Service temporarily unavailable", "S503")
	case FaultUnauthorized:
		apiError(w, http.StatusUnauthorized, "The token is invalid", "T300")
	case FaultForbidden:
		apiError(w, http.StatusForbidden, "Missing permission: View intelligence (INTHREAT_READ_OBJECTS)", "P403")
	case FaultInvalidJSON:
		writeRaw(w, http.StatusOK, "application/json", []byte(`{"items": [{"type": "indicator", "id": "indicator--`+"\x00"+`", }`), nil)
	case FaultSlow:
		t := time.NewTimer(plan.SlowDelay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return true
		case <-t.C:
		}
		return false // then answer normally
	case FaultDrop:
		panic(http.ErrAbortHandler) // the server closes the connection
	case FaultTruncate:
		s.serveTruncated(w, r)
	}
	return true
}

// serveTruncated produces the normal answer, sends its headers (with the
// full Content-Length) and half of its body, then drops the connection.
func (s *Server) serveTruncated(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	prefix, rest, _ := splitAPI(r.URL.Path)
	if !s.authorized(r) {
		apiError(rec, http.StatusUnauthorized, "The token is invalid", "T300")
	} else {
		_, h := s.route(rest)
		h(rec, r, prefix, rest)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	body := rec.body.Bytes()
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.status)
	w.Write(body[:len(body)/2])
	_ = http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }
