package observable

import "errors"

// ErrInvalid is matched (errors.Is) by every error this package returns for
// a value that is not valid for its kind.
var ErrInvalid = errors.New("observable: invalid value")

// invalidError is a preallocated, immutable error for one kind of invalid
// value. Returning these instead of formatting new errors keeps rejection
// allocation-free, which matters on the event path where bad values in
// mapped fields ("-", "NULL", "(empty)") are common.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// Errors for each kind of invalid value. All of them match ErrInvalid.
var (
	ErrInvalidKind     error = &invalidError{"observable: unknown kind"}
	ErrEmpty           error = &invalidError{"observable: empty value"}
	ErrInvalidIP       error = &invalidError{"observable: invalid IP address"}
	ErrInvalidDomain   error = &invalidError{"observable: invalid domain name"}
	ErrInvalidURL      error = &invalidError{"observable: invalid URL"}
	ErrInvalidEmail    error = &invalidError{"observable: invalid e-mail address"}
	ErrInvalidHash     error = &invalidError{"observable: invalid hash"}
	ErrInvalidMAC      error = &invalidError{"observable: invalid MAC address"}
	ErrInvalidAddrPort error = &invalidError{"observable: invalid address/port pair"}
	ErrInvalidKey      error = &invalidError{"observable: invalid index key"}
	ErrInvalidText     error = &invalidError{"observable: invalid text value"}
)
