package eval

import "time"

// parseStrictTimestamp reads a STIX timestamp the way the reference matcher
// reads one from JSON: YYYY-MM-DDTHH:MM:SS[.fraction]Z with upper-case T
// and Z, a real calendar date, seconds 00-59, and the fraction truncated to
// microseconds. It reports false for anything else.
func parseStrictTimestamp(s string) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	digits := func(i, n int) (int, bool) {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(0, 4)
	month, ok2 := digits(5, 2)
	day, ok3 := digits(8, 2)
	hour, ok4 := digits(11, 2)
	minute, ok5 := digits(14, 2)
	sec, ok6 := digits(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > daysIn(time.Month(month), year) {
		return time.Time{}, false
	}
	usec := 0
	rest := s[19 : len(s)-1]
	if rest != "" {
		if rest[0] != '.' || len(rest) < 2 {
			return time.Time{}, false
		}
		frac := rest[1:]
		for i := 0; i < len(frac); i++ {
			if frac[i] < '0' || frac[i] > '9' {
				return time.Time{}, false
			}
		}
		for i := 0; i < 6; i++ {
			usec *= 10
			if i < len(frac) {
				usec += int(frac[i] - '0')
			}
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, usec*1000, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
