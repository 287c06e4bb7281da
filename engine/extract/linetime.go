package extract

import "time"

// Times at the start of text lines. A syslog message or an application
// log line usually begins with its time; reading it gives text events an
// event time, so that validity windows are judged on it as for JSON
// events. Recognised, after an optional syslog priority "<PRI>":
//
//   - RFC 5424: a version number, then an RFC 3339 time ("<165>1
//     2003-10-11T22:14:15.003Z host app ..."); "-" is no time;
//   - RFC 3164 (BSD syslog and /var/log files): "Mmm dd hh:mm:ss", the day
//     space-padded; it has no year, which is taken from the arrival time
//     (the year before when that would put the line more than a day after
//     its arrival: a December line read in January);
//   - an ISO 8601 time as the first field, or the first two when a space
//     separates date and time ("2024-03-11 10:24:05,123 INFO ...").
//
// Times without a zone are read in zone. lineTime does not allocate.
func lineTime(line []byte, arrival time.Time, zone *time.Location) (time.Time, bool) {
	v := line
	if len(v) > 2 && v[0] == '<' {
		i := 1
		for i < len(v) && i <= 4 && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == 1 || i >= len(v) || v[i] != '>' {
			return time.Time{}, false
		}
		v = v[i+1:]
		// RFC 5424: a version (1 to 3 digits) and a space, then the time.
		if j := versionPrefix(v); j > 0 {
			ts := field(v[j:])
			if len(ts) == 1 && ts[0] == '-' {
				return time.Time{}, false
			}
			return parseISO(ts, zone)
		}
	}
	if t, ok := bsdTime(v, arrival, zone); ok {
		return t, true
	}
	first := field(v)
	if len(first) == 10 && len(v) > 11 && v[10] == ' ' {
		// "YYYY-MM-DD hh:mm:ss…": date and time in two fields; take the
		// time field up to its end, and a comma or dot fraction with it.
		both := v[:11+len(field(v[11:]))]
		if t, ok := parseISO(both, zone); ok {
			return t, true
		}
	}
	return parseISO(trimTimeField(first), zone)
}

// versionPrefix is the length of an RFC 5424 "VERSION SP" at the start of
// v (a digit 1-9 and up to two more digits), or 0.
func versionPrefix(v []byte) int {
	if len(v) == 0 || v[0] < '1' || v[0] > '9' {
		return 0
	}
	i := 1
	for i < len(v) && i < 3 && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i >= len(v) || v[i] != ' ' {
		return 0
	}
	return i + 1
}

// field is v up to its first space or tab.
func field(v []byte) []byte {
	for i, c := range v {
		if c == ' ' || c == '\t' {
			return v[:i]
		}
	}
	return v
}

// trimTimeField drops the brackets and the trailing punctuation a time
// field is often written with ("[2024-03-11T10:24:05Z]", "…Z:").
func trimTimeField(f []byte) []byte {
	if len(f) > 0 && f[0] == '[' {
		f = f[1:]
	}
	for len(f) > 0 {
		switch f[len(f)-1] {
		case ']', ',', ':', ';':
			f = f[:len(f)-1]
			continue
		}
		break
	}
	return f
}

var bsdMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// bsdTime reads "Mmm dd hh:mm:ss" (RFC 3164) at the start of v, followed
// by a space or the end.
func bsdTime(v []byte, arrival time.Time, zone *time.Location) (time.Time, bool) {
	// "Mar 11 10:24:05" or "Mar  1 10:24:05": 15 bytes.
	if len(v) < 15 || v[3] != ' ' || v[6] != ' ' || v[9] != ':' || v[12] != ':' || (len(v) > 15 && v[15] != ' ') {
		return time.Time{}, false
	}
	month := 0
	for i, m := range bsdMonths {
		if string(v[:3]) == m {
			month = i + 1
			break
		}
	}
	if month == 0 {
		return time.Time{}, false
	}
	day, ok := 0, false
	if v[4] == ' ' {
		day, ok = digits(v[5:6])
	} else {
		day, ok = digits(v[4:6])
	}
	hour, ok2 := digits(v[7:9])
	minute, ok3 := digits(v[10:12])
	sec, ok4 := digits(v[13:15])
	if !(ok && ok2 && ok3 && ok4) || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	if zone == nil {
		zone = time.UTC
	}
	year := arrival.In(zone).Year()
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, zone)
	if t.Sub(arrival) > 24*time.Hour {
		t = time.Date(year-1, time.Month(month), day, hour, minute, sec, 0, zone)
	}
	return t.UTC(), true
}
