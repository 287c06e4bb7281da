package extract

import (
	"strconv"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract/jsonscan"
)

// parseTime reads an event time: a JSON number or numeric string is epoch
// time (seconds, or milliseconds, microseconds or nanoseconds when its
// magnitude says so), any other string is ISO 8601 / RFC 3339. The result
// is in UTC. It does not allocate.
func parseTime(t jsonscan.Type, v []byte, zone *time.Location) (time.Time, bool) {
	v = trim(v)
	if len(v) == 0 {
		return time.Time{}, false
	}
	if t == jsonscan.Number || isNumeric(v) {
		return parseEpoch(v)
	}
	if t != jsonscan.String {
		return time.Time{}, false
	}
	return parseISO(v, zone)
}

func isNumeric(v []byte) bool {
	dot := false
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		case c == '-' && i == 0:
		default:
			return false
		}
	}
	return true
}

// Epoch magnitudes: 1e11 seconds is the year 5138, so anything larger is in
// a finer unit.
const (
	epochMillis = 1e11
	epochMicros = 1e14
	epochNanos  = 1e17
)

// parseEpoch reads "1588205198.89971", "1588205198899", "1.5882e9".
func parseEpoch(v []byte) (time.Time, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	var ip uint64
	i := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if ip > (1<<63-1)/10 {
			return time.Time{}, false
		}
		ip = ip*10 + uint64(v[i]-'0')
	}
	var frac, scale uint64 = 0, 1
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			if scale < 1e9 {
				frac = frac*10 + uint64(v[i]-'0')
				scale *= 10
			}
		}
	}
	if i != len(v) || neg {
		// Exponents and negative epochs are rare; use the float parser.
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || neg || f <= 0 || f > 9e18 {
			return time.Time{}, false
		}
		ip, frac, scale = uint64(f), uint64((f-float64(uint64(f)))*1e9), 1e9
	}
	// Fractional nanoseconds of the unit.
	fracNanos := frac * (1e9 / scale)
	var sec, nsec int64
	switch {
	case ip >= epochNanos:
		sec, nsec = int64(ip/1e9), int64(ip%1e9)
	case ip >= epochMicros:
		sec, nsec = int64(ip/1e6), int64(ip%1e6)*1e3+int64(fracNanos/1e6)
	case ip >= epochMillis:
		sec, nsec = int64(ip/1e3), int64(ip%1e3)*1e6+int64(fracNanos/1e3)
	default:
		sec, nsec = int64(ip), int64(fracNanos)
	}
	return time.Unix(sec, nsec).UTC(), true
}

// parseISO reads "YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH[:MM]|±HHMM]". A
// time without zone is taken in zone (UTC when nil).
func parseISO(v []byte, zone *time.Location) (time.Time, bool) {
	if len(v) < 16 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != 't' && v[10] != ' ') || v[13] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(v[0:4])
	month, ok2 := digits(v[5:7])
	day, ok3 := digits(v[8:10])
	hour, ok4 := digits(v[11:13])
	minute, ok5 := digits(v[14:16])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 {
		return time.Time{}, false
	}
	rest := v[16:]
	sec, nsec := 0, 0
	if len(rest) >= 3 && rest[0] == ':' {
		var ok bool
		if sec, ok = digits(rest[1:3]); !ok || sec > 60 {
			return time.Time{}, false
		}
		rest = rest[3:]
		if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
			rest = rest[1:]
			n, scale := 0, 100000000
			i := 0
			for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
				n += int(rest[i]-'0') * scale
				scale /= 10
			}
			if i == 0 {
				return time.Time{}, false
			}
			nsec, rest = n, rest[i:]
		}
	}
	offset := 0
	switch {
	case len(rest) == 0:
		if zone != nil && zone != time.UTC {
			return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, zone).UTC(), true
		}
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case rest[0] == '+' || rest[0] == '-':
		z := rest[1:]
		if len(z) == 5 && z[2] == ':' {
			z = []byte{z[0], z[1], z[3], z[4]}
		}
		if len(z) != 2 && len(z) != 4 {
			return time.Time{}, false
		}
		h, ok := digits(z[:2])
		m := 0
		if len(z) == 4 {
			var okm bool
			m, okm = digits(z[2:])
			ok = ok && okm
		}
		if !ok || h > 23 || m > 59 {
			return time.Time{}, false
		}
		offset = h*3600 + m*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
