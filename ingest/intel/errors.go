package intel

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors that callers branch on. Every error from a Client wraps at most one
// of them; use errors.Is.
var (
	// ErrUnauthorized: HTTP 401, the key is missing, expired or invalid.
	// Not retried.
	ErrUnauthorized = errors.New("intel: unauthorized (HTTP 401): the API key is missing, expired or invalid")
	// ErrForbidden: HTTP 403, the key lacks a permission or the feed belongs
	// to another community. Not retried.
	ErrForbidden = errors.New("intel: forbidden (HTTP 403): the API key needs the \"View intelligence\" permission (INTHREAT_READ_OBJECTS) and the feed must belong to the key's community")
	// ErrNotFound: HTTP 404. Not retried.
	ErrNotFound = errors.New("intel: not found (HTTP 404)")
	// ErrTooLarge: the response body exceeds Config.MaxBodyBytes. Not
	// retried: ask for smaller pages.
	ErrTooLarge = errors.New("intel: response body too large")
	// ErrBadResponse: a 2xx response whose body does not have the expected
	// shape. Retried like a transient error until the attempts run out.
	ErrBadResponse = errors.New("intel: malformed response")
	// ErrRetriesExhausted wraps the last error once Config.MaxAttempts
	// attempts have failed with transient errors.
	ErrRetriesExhausted = errors.New("intel: retries exhausted")
)

// StatusError is an HTTP error status other than 401, 403 and 404. Message
// and Code come from the API's {"message", "code"} error body when there is
// one; they are scrubbed of the key.
type StatusError struct {
	Status  int
	Message string
	Code    string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("intel: HTTP %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Code != "" {
		s += " (code " + e.Code + ")"
	}
	return s
}

// Permanent reports whether err will not go away by retrying the same
// request: authentication, permission, not found, too large, or a 4xx
// status other than 408 and 429.
func Permanent(err error) bool {
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) ||
		errors.Is(err, ErrNotFound) || errors.Is(err, ErrTooLarge) {
		return true
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 400 && se.Status < 500 && se.Status != http.StatusTooManyRequests && se.Status != http.StatusRequestTimeout
	}
	return false
}
