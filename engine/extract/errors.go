package extract

import (
	"errors"
	"strconv"
)

// Sentinel errors for bad input. Extract returns an *Error whose Reason is
// one of these, so callers can branch with errors.Is and count by Reason.
var (
	ErrEmpty       = errors.New("extract: empty event")
	ErrTooLarge    = errors.New("extract: event too large")
	ErrInvalidJSON = errors.New("extract: invalid JSON")
	ErrTooDeep     = errors.New("extract: JSON nested too deeply")
	ErrInvalidUTF8 = errors.New("extract: invalid UTF-8")
	ErrNotObject   = errors.New("extract: JSON event is not an object")
)

// Error describes an event Extract rejected.
type Error struct {
	// Reason is one of the sentinel errors of this package.
	Reason error
	// Offset is the byte offset of the problem in the event, or -1.
	Offset int
	// Profile is the profile that was in use, if any.
	Profile string
}

func (e *Error) Error() string {
	s := e.Reason.Error()
	if e.Profile != "" {
		s += " (profile " + e.Profile + ")"
	}
	if e.Offset >= 0 {
		s += " at byte " + strconv.Itoa(e.Offset)
	}
	return s
}

// Unwrap returns the Reason.
func (e *Error) Unwrap() error { return e.Reason }

// Reason returns a short stable label for err, for metrics: "empty",
// "too_large", "invalid_json", "too_deep", "invalid_utf8", "not_object", or
// "other".
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrEmpty):
		return "empty"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrInvalidJSON):
		return "invalid_json"
	case errors.Is(err, ErrTooDeep):
		return "too_deep"
	case errors.Is(err, ErrInvalidUTF8):
		return "invalid_utf8"
	case errors.Is(err, ErrNotObject):
		return "not_object"
	}
	return "other"
}
