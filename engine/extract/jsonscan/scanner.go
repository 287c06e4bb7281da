package jsonscan

// Type is the JSON type of a scalar value.
type Type uint8

// Scalar types.
const (
	String Type = iota + 1
	Number
	True
	False
	Null
)

// Handler receives the scalars of a document, in document order. path and
// value are only valid during the call, except that value slices of strings
// and numbers point into the input or the arena and stay valid as long as
// those do. Scan does not keep h after it returns, so a handler that lives
// on the caller's stack stays there.
type Handler interface {
	Value(path []byte, t Type, value []byte)
}

// DefaultMaxDepth is the nesting limit of a zero Scanner.
const DefaultMaxDepth = 64

// Scanner walks JSON documents. A Scanner is not safe for concurrent use;
// give each goroutine its own. The zero Scanner is ready to use with
// DefaultMaxDepth.
type Scanner struct {
	// MaxDepth bounds the nesting of objects and arrays; 0 means
	// DefaultMaxDepth.
	MaxDepth int
	// Arena receives unescaped strings. The caller may truncate it between
	// documents (Arena = Arena[:0]) once no reported value is in use.
	Arena []byte

	path      []byte
	cur       []byte // path of the current scalar: path, or a key of data
	errOffset int
	data      []byte
	maxDepth  int
}

// ErrOffset returns the byte offset at which the last Scan failed.
func (s *Scanner) ErrOffset() int { return s.errOffset }

// Scan validates data, which must hold one JSON object (surrounded by
// optional white space), and reports each scalar to h with its key path
// prefixed by prefix (joined with '.' when prefix is not empty).
func (s *Scanner) Scan(data, prefix []byte, h Handler) error {
	s.data = data
	s.maxDepth = s.MaxDepth
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultMaxDepth
	}
	s.path = append(s.path[:0], prefix...)
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		s.errOffset = i
		s.data = nil
		if i >= len(data) {
			return ErrSyntax
		}
		return ErrNotObject
	}
	i, err := s.object(i, 1, h)
	if err == nil {
		if i = skipWS(data, i); i != len(data) {
			err = ErrSyntax
		}
	}
	if err != nil {
		s.errOffset = i
	}
	s.data = nil
	return err
}

// object scans an object starting at data[i] == '{'.
func (s *Scanner) object(i, depth int, h Handler) (int, error) {
	if depth > s.maxDepth {
		return i, ErrTooDeep
	}
	data := s.data
	base := len(s.path)
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, ErrSyntax
		}
		start := i + 1
		end, esc, err := scanString(data, start)
		if err != nil {
			return end, err
		}
		i = skipWS(data, end+1)
		if i >= len(data) || data[i] != ':' {
			return i, ErrSyntax
		}
		i = skipWS(data, i+1)
		s.path = s.path[:base]
		if base == 0 && !esc && i < len(data) && data[i] != '{' && data[i] != '[' {
			// A top-level scalar: its path is the key itself, no copy.
			s.cur = data[start:end]
		} else {
			if base > 0 {
				s.path = append(s.path, '.')
			}
			if esc {
				s.path = appendUnescaped(s.path, data[start:end])
			} else {
				s.path = append(s.path, data[start:end]...)
			}
			s.cur = s.path
		}
		if i, err = s.value(i, depth, h); err != nil {
			return i, err
		}
		i = skipWS(data, i)
		if i >= len(data) {
			return i, ErrSyntax
		}
		switch data[i] {
		case ',':
			i = skipWS(data, i+1)
		case '}':
			s.path = s.path[:base]
			return i + 1, nil
		default:
			return i, ErrSyntax
		}
	}
}

// array scans an array starting at data[i] == '['.
func (s *Scanner) array(i, depth int, h Handler) (int, error) {
	if depth > s.maxDepth {
		return i, ErrTooDeep
	}
	data := s.data
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		s.cur = s.path // an object element may have moved cur
		if i, err = s.value(i, depth, h); err != nil {
			return i, err
		}
		i = skipWS(data, i)
		if i >= len(data) {
			return i, ErrSyntax
		}
		switch data[i] {
		case ',':
			i = skipWS(data, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, ErrSyntax
		}
	}
}

// value scans any value starting at data[i]; depth is the nesting of its
// container.
func (s *Scanner) value(i, depth int, h Handler) (int, error) {
	data := s.data
	if i >= len(data) {
		return i, ErrSyntax
	}
	switch c := data[i]; {
	case c == '"':
		start := i + 1
		end, esc, err := scanString(data, start)
		if err != nil {
			return end, err
		}
		v := data[start:end]
		if esc {
			n := len(s.Arena)
			s.Arena = appendUnescaped(s.Arena, v)
			v = s.Arena[n:len(s.Arena):len(s.Arena)]
		}
		h.Value(s.cur, String, v)
		return end + 1, nil
	case c == '{':
		return s.object(i, depth+1, h)
	case c == '[':
		return s.array(i, depth+1, h)
	case c == '-' || c >= '0' && c <= '9':
		end, ok := scanNumber(data, i)
		if !ok {
			return end, ErrSyntax
		}
		h.Value(s.cur, Number, data[i:end])
		return end, nil
	case c == 't':
		return s.literal(i, "true", True, h)
	case c == 'f':
		return s.literal(i, "false", False, h)
	case c == 'n':
		return s.literal(i, "null", Null, h)
	}
	return i, ErrSyntax
}

func (s *Scanner) literal(i int, lit string, t Type, h Handler) (int, error) {
	if len(s.data)-i < len(lit) || string(s.data[i:i+len(lit)]) != lit {
		return i, ErrSyntax
	}
	h.Value(s.cur, t, s.data[i:i+len(lit)])
	return i + len(lit), nil
}

// Valid reports whether data is one valid JSON value of any type within the
// nesting limit, without reporting anything.
func Valid(data []byte, maxDepth int) bool {
	var s Scanner
	s.MaxDepth = maxDepth
	s.data, s.maxDepth = data, maxDepth
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultMaxDepth
	}
	i, err := s.value(skipWS(data, 0), 0, discard{})
	return err == nil && skipWS(data, i) == len(data)
}

type discard struct{}

func (discard) Value([]byte, Type, []byte) {}

func skipWS(data []byte, i int) int {
	for i < len(data) && data[i] <= ' ' {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanNumber validates the number starting at data[i] and returns its end.
func scanNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i++; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		}
	default:
		return i, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			return i, false
		}
		for i++; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			return i, false
		}
		for i++; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		}
	}
	return i, true
}
