package jsonscan

import "errors"

// Sentinel errors. Scan returns exactly these values (never wrapped, so no
// allocation happens on the error path); Scanner.ErrOffset tells where the
// problem was found.
var (
	ErrSyntax    = errors.New("jsonscan: invalid JSON")
	ErrNotObject = errors.New("jsonscan: document is not a JSON object")
	ErrTooDeep   = errors.New("jsonscan: JSON nested too deeply")
	ErrUTF8      = errors.New("jsonscan: invalid UTF-8 in string")
)
