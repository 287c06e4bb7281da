package enrich

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

// Errors callers branch on. API errors are passed through wrapped, so
// errors.Is(err, intel.ErrNotFound) and friends work as well.
var (
	// ErrBreakerOpen: the circuit breaker is open after consecutive API
	// failures; no request was sent.
	ErrBreakerOpen = errors.New("enrich: circuit breaker open: the Intelligence Center API is failing")
	// ErrQueueFull: the fetch queue was full; the hit was dropped (counted)
	// and no request was sent.
	ErrQueueFull = errors.New("enrich: fetch queue full")
	// ErrClosed: the Enricher was closed.
	ErrClosed = errors.New("enrich: enricher closed")
	// ErrDisabled: enrichment is not configured (a nil *Enricher).
	ErrDisabled = errors.New("enrich: enrichment disabled")
	// ErrNoIndicator: the bundle holds no object with the requested id, and
	// it could not be fetched either.
	ErrNoIndicator = errors.New("enrich: the bundle does not hold the indicator")
)

// Failure reasons, the label values of Stats.Failures.
const (
	ReasonTimeout      = "timeout"      // a call ran out of Options.CallTimeout
	ReasonThrottled    = "throttled"    // HTTP 429 until the attempts or the time ran out
	ReasonRateLimited  = "rate_limited" // the shared client-side limiter could not fit the call in its timeout
	ReasonServerError  = "server_error" // HTTP 5xx
	ReasonNetwork      = "network"      // transport errors, truncated bodies
	ReasonBadResponse  = "bad_response" // a 2xx body that does not parse
	ReasonUnauthorized = "unauthorized" // HTTP 401
	ReasonForbidden    = "forbidden"    // HTTP 403
	ReasonNotFound     = "not_found"    // HTTP 404: the API does not know the object
	ReasonTooLarge     = "too_large"    // body over the client's bound
	ReasonBreakerOpen  = "breaker_open" // failed fast, nothing sent
	ReasonQueueFull    = "queue_full"   // dropped, nothing sent
	ReasonClosed       = "closed"       // the Enricher was closed
	ReasonCanceled     = "canceled"     // the context was canceled
	ReasonBadBundle    = "bad_bundle"   // the bundle lacks the indicator
	ReasonOther        = "other"        // anything else
)

var reasons = [...]string{
	ReasonTimeout, ReasonThrottled, ReasonRateLimited, ReasonServerError, ReasonNetwork,
	ReasonBadResponse, ReasonUnauthorized, ReasonForbidden, ReasonNotFound, ReasonTooLarge,
	ReasonBreakerOpen, ReasonQueueFull, ReasonClosed, ReasonCanceled, ReasonBadBundle, ReasonOther,
}

// Reason classifies an error returned by an Enricher (or by the API
// client) into one of the Reason* constants; nil gives "".
func Reason(err error) string {
	var se *intel.StatusError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrBreakerOpen):
		return ReasonBreakerOpen
	case errors.Is(err, ErrQueueFull):
		return ReasonQueueFull
	case errors.Is(err, ErrClosed):
		return ReasonClosed
	case errors.Is(err, ErrNoIndicator):
		return ReasonBadBundle
	case errors.Is(err, intel.ErrUnauthorized):
		return ReasonUnauthorized
	case errors.Is(err, intel.ErrForbidden):
		return ReasonForbidden
	case errors.Is(err, intel.ErrNotFound):
		return ReasonNotFound
	case errors.Is(err, intel.ErrTooLarge):
		return ReasonTooLarge
	case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
		// Checked before the deadline: a call that timed out while
		// waiting out a 429 was throttled.
		return ReasonThrottled
	case se != nil && (se.Status >= 500 || se.Status == http.StatusRequestTimeout):
		return ReasonServerError
	case errors.Is(err, intel.ErrBadResponse):
		return ReasonBadResponse
	case strings.Contains(err.Error(), "rate: Wait"):
		// golang.org/x/time/rate refuses a wait that would pass the
		// deadline with an error of its own, not context.DeadlineExceeded.
		return ReasonRateLimited
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	case errors.Is(err, context.Canceled):
		return ReasonCanceled
	case errors.Is(err, intel.ErrRetriesExhausted):
		return ReasonNetwork
	}
	return ReasonOther
}

// breakerOutcome says what an API call's result tells the circuit breaker:
// +1 the API answered (a 404 is an answer), -1 it failed, 0 nothing (the
// caller gave up, or our own limiter refused the wait).
func breakerOutcome(err error) int {
	switch Reason(err) {
	case "", ReasonNotFound, ReasonBadBundle, ReasonTooLarge:
		return 1
	case ReasonCanceled, ReasonClosed, ReasonRateLimited, ReasonBreakerOpen, ReasonQueueFull:
		return 0
	}
	return -1
}
