package jsonscan

import "bytes"

// TopKeys calls fn with each key of the top-level object of data, as raw
// bytes (escapes are not decoded), until fn returns false, and reports
// whether data starts like an object. It skips values without validating
// them, so it is much cheaper than Scan; it is meant for choosing how to
// Scan a document, which then validates it. On malformed input it stops
// early.
func TopKeys(data []byte, fn func(key []byte) bool) bool {
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipWS(data, i+1)
	for i < len(data) && data[i] == '"' {
		end := skipString(data, i+1)
		if end < 0 || !fn(data[i+1:end]) {
			return true
		}
		i = skipWS(data, end+1)
		if i >= len(data) || data[i] != ':' {
			return true
		}
		i = skipValue(data, skipWS(data, i+1))
		if i < 0 {
			return true
		}
		i = skipWS(data, i)
		if i >= len(data) || data[i] != ',' {
			return true
		}
		i = skipWS(data, i+1)
	}
	return true
}

// skipString returns the index of the quote closing the string whose body
// starts at i, or -1.
func skipString(data []byte, i int) int {
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return -1
		}
		j += i
		n := 0
		for k := j - 1; k >= i && data[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return j
		}
		i = j + 1
	}
}

// skipValue returns the index just after the value starting at i, or -1.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end := skipString(data, i+1)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				end := skipString(data, i+1)
				if end < 0 {
					return -1
				}
				i = end
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
